import type { Config } from '../core/config.js'
import type { Db } from '../core/db/client.js'
import type { OperationQueue } from '../core/queue.js'
import type { SecretBox } from '../core/secrets.js'
import type { RedisClient } from '../core/redis.js'

/** What routes may use; built by api/server.ts (or a test) and decorated onto the app. */
export interface ApiServices {
  config: Config
  db: Db
  queue: OperationQueue
  secrets: SecretBox
  /** For request-scoped counters (throttling); job delivery goes through `queue`. */
  redis: RedisClient
}

declare module 'fastify' {
  interface FastifyInstance {
    services: ApiServices
  }
}
