// Redis only delivers work: every job names an operation row in Postgres, which holds the truth.
// The job id is the operation id, so enqueuing the same operation twice is a no-op.
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import { waitUnlessAborted } from './abortable-wait.js'
import type { OperationKind } from './domain/model.js'
import { createRedisClient, redisOptionsFromUrl, type RedisEndpoint } from './redis.js'

export const OPERATIONS_QUEUE = 'operations'

/** Job data per job name; a job carries only the operation id, the worker reads everything else from Postgres. */
export type JobPayloads = { [K in OperationKind]: { operationId: string } }

/**
 * Retries happen in two layers; this is the outer one. The runner (workers/operation-worker.ts) retries a transient
 * operation failure itself: it counts each attempt in Postgres (`operations.attempts`, at most
 * DEFAULT_RETRY_POLICY.maxAttempts = 10 in workers/retry-policy.ts, so a Redis flush does not reset the budget) and
 * delays the job with DelayedError, which spends no BullMQ attempt. These 8 BullMQ attempts only cover a processor
 * that threw before it could record an outcome (Postgres or Redis lost mid-job): BullMQ fetches the job again after
 * this backoff. Should they run out, the operation is still InProgress in Postgres and the reconciler delivers it
 * again.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600 },
}

export function redisConnection(redisUrl: string): ConnectionOptions {
  // BullMQ workers need blocking commands to wait forever; fail fast is handled by core/preflight.
  return { ...redisOptionsFromUrl(redisUrl), maxRetriesPerRequest: null }
}

/** What every BullMQ Queue and Worker of a process connects with, and how the process lets go of it at the end. */
export interface QueueConnection {
  options: ConnectionOptions
  /** After every Queue and Worker on `options` is closed. */
  close(): void
}

export function queueConnection(endpoint: RedisEndpoint): QueueConnection {
  if (endpoint.redisClusterNodes.length === 0) return { options: redisConnection(endpoint.redisUrl), close: () => undefined }
  // BullMQ makes only single-server clients from options, so a cluster is handed to it as a client. Queues share
  // that client and leave it open when they close (Workers block on duplicates they close themselves), so the
  // process closes it, last.
  const cluster = createRedisClient(endpoint, { maxRetriesPerRequest: null })
  cluster.on('error', () => undefined) // every Queue and Worker reports the errors through its own 'error' event
  return { options: cluster, close: () => cluster.disconnect() }
}

/**
 * Closes a BullMQ Queue or Worker without stray rejections. Closed while its connections are still initialising,
 * BullMQ disconnects them and the initialisation commands it fired without awaiting (CLIENT SETNAME, INFO) reject
 * with "Connection is closed" and nobody handles them; waiting until ready first makes close() quit cleanly.
 */
export async function closeBullmq(target: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }): Promise<void> {
  await target.waitUntilReady().catch(() => undefined)
  await target.close()
}

export class OperationQueue {
  readonly queue: Queue

  constructor(connection: ConnectionOptions, prefix: string) {
    this.queue = new Queue(OPERATIONS_QUEUE, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS })
    // Redis outages are survived by the reconciler; an unhandled 'error' event would crash the process.
    this.queue.on('error', () => undefined)
  }

  /**
   * Forgets every job that is waiting, delayed, finished or failed (POST /admin/reset). A job a worker holds runs on
   * and finds its operation gone, which ends it; the auto-upgrade schedule lives in its own queue and is kept.
   */
  async discardAll(): Promise<void> {
    await this.queue.drain(true)
    for (const state of ['completed', 'failed'] as const) await this.queue.clean(0, 0, state)
  }

  /** Adds one job per operation in one round trip; operations whose job exists are left as they are. */
  async enqueueMany(operations: readonly OperationRef[]): Promise<void> {
    if (operations.length === 0) return
    await this.queue.addBulk(operations.map((op) => jobFor(op.kind, { operationId: op.id })))
  }

  /**
   * Delivers an operation again whose job no worker will fetch (finished, failed, or lost). Whatever is left of
   * the old job goes first: after a partial loss of Redis data its record can outlive its queue entry, and BullMQ
   * would take the new job for a duplicate of that record and drop it. Returns false when a worker holds the job.
   */
  async redeliver(operation: OperationRef): Promise<boolean> {
    if ((await this.queue.remove(operation.id)) === 0) return false
    await this.enqueueMany([operation])
    return true
  }

  async ping(): Promise<void> {
    const client = (await this.queue.client) as unknown as Redis
    await client.ping()
  }

  async close(): Promise<void> {
    await closeBullmq(this.queue)
  }
}

/**
 * An OperationQueue whose deliveries asked for in one turn of the event loop reach Redis together, as one addBulk (one
 * round trip and one socket write): the api's requests each deliver one job right after their commit, and under load
 * several commits answer in the same turn. Each caller still waits for (and is told the failure of) the batch that
 * holds its jobs; job id = operation id keeps a job delivered twice one job.
 */
export class CoalescingOperationQueue extends OperationQueue {
  private pending: OperationRef[] | null = null
  private sent: Promise<void> = Promise.resolve()

  override enqueueMany(operations: readonly OperationRef[]): Promise<void> {
    if (operations.length === 0) return Promise.resolve()
    if (this.pending === null) {
      const batch: OperationRef[] = []
      this.pending = batch
      this.sent = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.pending = null
        return super.enqueueMany(batch)
      })
    }
    this.pending.push(...operations)
    return this.sent
  }

  /** Lets the batch in flight (or about to go) reach Redis before the connection closes; its callers hear how it went. */
  override async close(): Promise<void> {
    await this.sent.catch(() => undefined)
    await super.close()
  }
}

export interface OperationRef {
  id: string
  kind: OperationKind
}

/** The one place a job is shaped: its name is the kind and its data is that kind's payload (JobPayloads). */
function jobFor<K extends OperationKind>(kind: K, payload: JobPayloads[K]): { name: K; data: JobPayloads[K]; opts: JobsOptions } {
  return { name: kind, data: payload, opts: { jobId: payload.operationId } }
}

/**
 * While Redis is away its client queues commands instead of failing them; a caller must not hang on that. The
 * outbox row stays behind and a worker's dispatcher delivers the operation once Redis is back.
 */
const ENQUEUE_TIMEOUT_MS = 3000

/**
 * Adds the operations' jobs, or throws once ENQUEUE_TIMEOUT_MS has passed. BullMQ's add takes no AbortSignal, so
 * the deadline only stops the wait, not the command; a late add is harmless (job id = operation id).
 */
export async function enqueueWithinDeadline(queue: OperationQueue, operations: readonly OperationRef[]): Promise<void> {
  const late = () => new Error(`enqueueing to Redis did not finish within ${ENQUEUE_TIMEOUT_MS} ms`)
  await waitUnlessAborted(queue.enqueueMany(operations), AbortSignal.timeout(ENQUEUE_TIMEOUT_MS), late)
}
