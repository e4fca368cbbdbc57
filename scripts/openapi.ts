// Writes openapi/arcext.json: the document the server serves at /openapi.json, byte for byte.
// Run with `npm run openapi` after changing a route or schema; test/contract/openapi.test.ts fails until you do.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { buildApp } from '../api/app.js'
import { loadConfig } from '../core/config.js'
import { createDb } from '../core/db/client.js'
import { repoRoot } from '../core/paths.js'
import { OperationQueue, redisConnection } from '../core/queue.js'
import { SecretBox, keyFromMaterial } from '../core/secrets.js'
import { Redis } from 'ioredis'
import { openApiText } from '../api/plugins/openapi.js'

const config = loadConfig()
const db = createDb(config.databaseUrl)
const queue = new OperationQueue(redisConnection(config.redisUrl), config.queuePrefix)
const redis = new Redis(config.redisUrl, { lazyConnect: true })
// The document does not depend on any secret; a throwaway key avoids touching DATA_DIR.
const secrets = new SecretBox(keyFromMaterial(Buffer.alloc(32)))
const app = await buildApp({ config, db, queue, secrets, redis })
await app.ready()
const file = path.join(repoRoot, 'openapi', 'arcext.json')
writeFileSync(file, openApiText(app))
console.error(`wrote ${path.relative(process.cwd(), file)}`)
await app.close()
await queue.close()
redis.disconnect()
await db.$disconnect()
