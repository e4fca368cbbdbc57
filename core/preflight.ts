// Fail fast with one clear line when a backing service is missing, instead of a stack trace from deep inside a driver.
import net from 'node:net'
import pg from 'pg'
import { redactUrl } from './config.js'
import { createRedisClient, type RedisEndpoint } from './redis.js'

export class ServiceUnavailableError extends Error {}

const HOW_TO_GET = {
  postgres:
    'start PostgreSQL (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), or run `docker compose -f docker-compose.yml -f docker-compose.ports.yml up -d postgres`, or set DATABASE_URL',
  redis:
    'start Redis (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no), or run `docker compose -f docker-compose.yml -f docker-compose.ports.yml up -d redis`, or set REDIS_URL',
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * PostgreSQL answers but will not serve this DATABASE_URL: the advice is to fix the URL, not to start a server that
 * is running. Class 28 is PostgreSQL's "invalid authorization" (wrong password, unknown role, pg_hba refusal).
 */
function refusedByRunningPostgres(databaseUrl: string, error: unknown): string {
  const where = `PostgreSQL at ${redactUrl(databaseUrl)} is running but`
  const reason = (error as Error).message
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && code.startsWith('28'))
    return `${where} refused the credentials (${reason}); fix the user or password in DATABASE_URL (the role must exist and be allowed to create databases)`
  return `${where} did not accept the connection (${reason}); check DATABASE_URL`
}

export async function assertPostgresReachable(databaseUrl: string, timeoutMs = 3000): Promise<void> {
  const url = new URL(databaseUrl)
  const host = url.hostname || '127.0.0.1'
  const port = Number(url.port || 5432)
  const reachable = await tcpReachable(host, port, timeoutMs)
  if (reachable) {
    const maintenance = new URL(databaseUrl)
    maintenance.pathname = '/postgres'
    const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: timeoutMs })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (error) {
      throw new ServiceUnavailableError(refusedByRunningPostgres(databaseUrl, error))
    } finally {
      await client.end().catch(() => undefined)
    }
  }
  throw new ServiceUnavailableError(`PostgreSQL is not reachable at ${redactUrl(databaseUrl)}; ${HOW_TO_GET.postgres}`)
}

/** On a Redis Cluster, reachable means the client learnt the slots from one of the nodes and a node answered. */
export async function assertRedisReachable(redisUrl: string, timeoutMs = 3000, redisClusterNodes: RedisEndpoint['redisClusterNodes'] = []): Promise<void> {
  const redis = createRedisClient({ redisUrl, redisClusterNodes }, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null })
  redis.on('error', () => undefined)
  const where = redisClusterNodes.length ? `the Redis Cluster nodes ${redisClusterNodes.map(redactUrl).join(', ')}` : redactUrl(redisUrl)
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    throw new ServiceUnavailableError(`Redis is not reachable at ${where} (${(error as Error).message}); ${HOW_TO_GET.redis}`)
  } finally {
    redis.disconnect()
  }
}

export async function assertServicesReachable(config: { databaseUrl: string } & RedisEndpoint): Promise<void> {
  await assertPostgresReachable(config.databaseUrl)
  await assertRedisReachable(config.redisUrl, undefined, config.redisClusterNodes)
}
