// `npm run keys -- status | rotate | reencrypt | retire <keyId>`: key rotation while the service runs (README,
// "Encryption keys and rotation"). Uses the same DATABASE_URL, DATA_DIR and ENCRYPTION_KEY* as the api and worker.
import { loadConfig } from '../core/config.js'
import { createDb } from '../core/db/client.js'
import { migrate } from '../core/db/migrate.js'
import { KeysCommandError, runKeysCommand } from '../core/key-commands.js'
import { runMain } from '../core/main-process.js'
import { assertPostgresReachable } from '../core/preflight.js'
import { loadSecretBox } from '../core/secrets.js'

await runMain('keys', async () => {
  const config = loadConfig()
  await assertPostgresReachable(config.databaseUrl)
  await migrate(config.databaseUrl)
  const box = loadSecretBox(config)
  const db = createDb(config.databaseUrl, 2)
  try {
    await runKeysCommand(process.argv.slice(2), { config, db, box, print: (line) => console.log(line) })
  } catch (error) {
    if (!(error instanceof KeysCommandError)) throw error
    console.error(`arcext keys: ${error.message}`)
    process.exit(error.exitCode)
  } finally {
    await db.$disconnect()
  }
  process.exit(0)
})
