// How a process reaches Redis: one server (REDIS_URL) or a Redis Cluster seeded from REDIS_CLUSTER_NODES. The api's
// and the workers' clients are all made here, so that choice is made in one place.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'

export type RedisClient = Redis | Cluster

export interface RedisEndpoint {
  redisUrl: string
  /** Empty for one server. */
  redisClusterNodes: readonly string[]
}

/** Host, port, credentials, database and TLS of a redis:// or rediss:// URL. */
export function redisOptionsFromUrl(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl)
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  }
}

/** A client for the configured Redis; `options` apply to every connection it opens (each node's, on a cluster). */
export function createRedisClient(endpoint: RedisEndpoint, options: RedisOptions): RedisClient {
  const [first] = endpoint.redisClusterNodes
  if (first === undefined) return new Redis(endpoint.redisUrl, options)
  const seeds = endpoint.redisClusterNodes.map((node) => {
    const { host, port } = redisOptionsFromUrl(node)
    return { host, port }
  })
  // The nodes share credentials and TLS (core/config.ts checks it), so the first entry's serve them all.
  const { username, password, tls } = redisOptionsFromUrl(first)
  // These mean the same for the cluster client as for one server, but a cluster client takes them for itself and
  // runs its nodes' connections on its own terms; left out, ioredis's cluster defaults apply.
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...perNode } = options
  const clusterOptions: ClusterOptions = { redisOptions: { username, password, tls, ...perNode } }
  if (lazyConnect !== undefined) clusterOptions.lazyConnect = lazyConnect
  if (enableOfflineQueue !== undefined) clusterOptions.enableOfflineQueue = enableOfflineQueue
  if (retryStrategy !== undefined) clusterOptions.clusterRetryStrategy = retryStrategy
  return new Cluster(seeds, clusterOptions)
}
