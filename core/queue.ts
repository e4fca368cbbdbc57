// Redis only delivers work: every job names an operation row in Postgres, which holds the truth.
// The job id is the operation id, so enqueuing the same operation twice is a no-op.
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Db } from './db/client.js'
import type { OperationKind } from './domain/model.js'
import { markDispatched } from './store/operations.js'

export const OPERATIONS_QUEUE = 'operations'

/** Job data per job name; a job carries only the operation id, the worker reads everything else from Postgres. */
export type JobPayloads = { [K in OperationKind]: { operationId: string } }

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600 },
}

export function redisConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl)
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers need blocking commands to wait forever; fail fast is handled by core/preflight.
    maxRetriesPerRequest: null,
  }
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

  async enqueue<K extends OperationKind>(kind: K, payload: JobPayloads[K]): Promise<void> {
    await this.queue.add(kind, payload, { jobId: payload.operationId })
  }

  /** Adds one job per operation in one round trip; operations whose job exists are left as they are. */
  async enqueueMany(operations: readonly OperationRef[]): Promise<void> {
    if (operations.length === 0) return
    await this.queue.addBulk(operations.map((op) => ({ name: op.kind, data: { operationId: op.id }, opts: { jobId: op.id } })))
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

export interface OperationRef {
  id: string
  kind: string
}

/**
 * While Redis is away its client queues commands instead of failing them; a request must not hang on that. The
 * outbox row stays behind and a worker's dispatcher delivers the operation once Redis is back.
 */
export const ENQUEUE_TIMEOUT_MS = 3000

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Delivers just-committed operations right away (the fast path) and clears their outbox rows. Throws when Redis
 * did not take them; the rows then stay for the dispatcher, so the caller only logs.
 */
export async function deliverOperations(db: Db, queue: OperationQueue, operations: readonly OperationRef[]): Promise<void> {
  if (operations.length === 0) return
  await withTimeout(queue.enqueueMany(operations), ENQUEUE_TIMEOUT_MS, 'enqueueing to Redis')
  await markDispatched(db, operations.map((op) => op.id))
}

/**
 * Delivers just-committed operations now, for latency. A failure is only logged: the operations and their outbox
 * rows are committed, and a worker's dispatcher delivers them once Redis answers.
 */
export async function deliverOrLeaveToOutbox(
  db: Db,
  queue: OperationQueue,
  operations: readonly OperationRef[],
  log: { warn(details: object, message: string): void },
): Promise<void> {
  try {
    await deliverOperations(db, queue, operations)
  } catch (error) {
    log.warn({ err: (error as Error).message, operationIds: operations.map((op) => op.id) }, 'enqueue failed; the outbox dispatcher will deliver')
  }
}
