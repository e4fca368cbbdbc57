// Runs operation jobs: one BullMQ Worker, one handler per operation kind, one policy for all of them.
//  - One job at a time per extension (per cluster for cluster operations), across all worker processes
//    (workers/subject-locks.ts); a job whose subject is busy waits, without using up an attempt.
//  - Transient failures (driver said so, or an unexpected error) are retried with exponential backoff and jitter
//    up to RetryPolicy.maxAttempts, counted in Postgres; permanent ones fail the operation at once.
//  - A running job watches its operation: canceled or superseded → its driver call is aborted; past the deadline
//    → the operation is failed and the job stops waiting for the driver.
// Postgres decides everything; the BullMQ job only says "look at operation X".
import { ErrorCodes } from '../core/domain/error-catalogue.js'
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq'
import { waitUnlessAborted } from '../core/abortable-wait.js'
import type { OperationKind } from '../core/domain/model.js'
import { OPERATIONS_QUEUE, type JobPayloads } from '../core/queue.js'
import { claimOperation, type ClaimedExtension } from '../core/store/operation-claim.js'
import { finishOperation, operationStatus, recordRetry, releaseAttempt, type Operation } from '../core/store/operations.js'
import type { WorkerContext } from './context.js'
import { SecretUnavailableError } from '../core/secrets.js'
import { DriverError } from './drivers/driver.js'
import { DriverSteps } from './drivers/driver-steps.js'
import { encryptionKeyUnavailable } from './drivers/driver-errors.js'
import { loggableError } from './error-facts.js'
import { applyExtension } from './jobs/apply-extension.js'
import { deleteCluster } from './jobs/delete-cluster.js'
import { NotReadyError, type OperationRun } from './jobs/operation-run.js'
import { uninstallExtension } from './jobs/uninstall-extension.js'
import { cleanupRelease } from './jobs/cleanup-release.js'
import { deadlineDetail, failedOutcome, failureDetail, retryStatus } from './operation-failures.js'
import { DEFAULT_RETRY_POLICY, jittered, retryDelayMs, type RetryPolicy } from './retry-policy.js'
import type { SubjectLocks } from './subject-locks.js'

type Handler = (ctx: WorkerContext, op: Operation, run: OperationRun) => Promise<void>

const HANDLERS: Record<OperationKind, Handler> = {
  'extension.install': applyExtension,
  'extension.update': applyExtension,
  'extension.upgrade': applyExtension,
  'extension.rollback': applyExtension,
  'extension.repair': applyExtension,
  'extension.delete': uninstallExtension,
  'extension.cleanup': cleanupRelease,
  'cluster.delete': deleteCluster,
}

export interface RunnerOptions {
  retry: RetryPolicy
  /** OPERATION_DEADLINE_SECONDS: counted from when the operation was accepted. */
  deadlineSeconds: number
  /** Pause before trying again when another job holds the operation's extension or cluster. */
  busyRetryMs: number
  /** How often a running job checks whether its operation was canceled. */
  watchIntervalMs: number
}

export const DEFAULT_RUNNER_OPTIONS: Omit<RunnerOptions, 'deadlineSeconds'> = { retry: DEFAULT_RETRY_POLICY, busyRetryMs: 250, watchIntervalMs: 1000 }

/** Why a running job's signal was aborted. */
class Superseded extends Error {}
class DeadlineReached extends Error {}
class ShuttingDown extends Error {}

/** A signal that aborts when `signal` does for one of `reasons`, with the same reason. */
function abortedFor(signal: AbortSignal, reasons: (new () => Error)[]): AbortSignal {
  const narrowed = new AbortController()
  const check = () => {
    if (reasons.some((reason) => signal.reason instanceof reason)) narrowed.abort(signal.reason)
  }
  if (signal.aborted) check()
  else signal.addEventListener('abort', check, { once: true })
  return narrowed.signal
}

export class OperationRunner {
  private readonly inFlight = new Set<AbortController>()

  constructor(
    private readonly ctx: WorkerContext,
    private readonly locks: SubjectLocks,
    private readonly options: RunnerOptions,
  ) {}

  /** The BullMQ processor. */
  async process(job: Job<{ operationId?: unknown }>, token: string | undefined): Promise<void> {
    const operationId = job.data?.operationId
    if (typeof operationId !== 'string') return
    const retryInMs = await this.run(operationId)
    if (retryInMs === null) return
    await job.moveToDelayed(Date.now() + retryInMs, token)
    throw new DelayedError()
  }

  /** Runs the operation once. Returns how long to wait before this job runs again, or null when it is done. */
  async run(operationId: string): Promise<number | null> {
    // One statement reads the operation, takes its subject's lock and counts the attempt (operation-claim.ts).
    const { result: claim, release } = await this.locks.lockWithin((session, heldSubjects, releasing) =>
      claimOperation(session, operationId, { deadlineSeconds: this.options.deadlineSeconds, heldSubjects, releasing }),
    )
    try {
      switch (claim.state) {
        case 'ended':
          return null // duplicate or late delivery, or whatever held the lock just ended it: nothing to do
        case 'overdue':
          await this.failPastDeadline(claim.operation)
          return null
        case 'busy':
          return jittered(this.options.busyRetryMs)
        case 'claimed':
          return await this.execute(claim.operation, claim.operation.attempts, claim.extension)
      }
    } finally {
      await release()
    }
  }

  private shuttingDown = false

  /** From now on a job that fails hands its operation back (no attempt used) instead of retrying or failing it. */
  beginShutdown(): void {
    this.shuttingDown = true
  }

  /** Aborts every running job's driver calls, so a stopping worker hands them back instead of hanging. */
  abortAll(): void {
    this.shuttingDown = true
    for (const controller of this.inFlight) controller.abort(new ShuttingDown('worker is shutting down'))
  }

  private msToDeadline(op: Operation): number {
    return op.startTime.getTime() + this.options.deadlineSeconds * 1000 - Date.now()
  }

  private log(op: Operation, attempt?: number) {
    return this.ctx.log.child({ operationId: op.id, kind: op.kind, resourceId: op.resourceId, ...(op.correlationId ? { correlationId: op.correlationId } : {}), ...(attempt ? { attempt } : {}) })
  }

  private async failPastDeadline(op: Operation, steps?: DriverSteps): Promise<void> {
    const detail = deadlineDetail(op, this.options.deadlineSeconds)
    if (await finishOperation(this.ctx.db, op, failedOutcome(detail), steps?.taken)) {
      this.ctx.metrics.operationEnded(op, 'Failed', detail.code)
      this.log(op).error({ code: detail.code }, 'operation failed: deadline exceeded')
    }
  }

  private async execute(op: Operation, attempt: number, extension: ClaimedExtension | null): Promise<number | null> {
    const log = this.log(op, attempt)
    const controller = new AbortController()
    const steps = new DriverSteps()
    this.inFlight.add(controller)
    const deadline = setTimeout(() => controller.abort(new DeadlineReached()), this.msToDeadline(op))
    const watch = setInterval(() => {
      operationStatus(this.ctx.db, op.id)
        .then((status) => {
          if (status !== 'InProgress') controller.abort(new Superseded(`operation is ${status ?? 'gone'}`))
        })
        .catch(() => undefined) // a database blip: the next tick looks again
    }, this.options.watchIntervalMs)
    try {
      const handler = HANDLERS[op.kind as OperationKind]
      if (!handler) throw new DriverError('permanent', ErrorCodes.UnknownOperationKind, `This worker cannot run operations of kind '${op.kind}'.`)
      const work = handler(this.ctx, op, { signal: controller.signal, attempt, extension, steps })
      work.catch(() => undefined) // may be abandoned below; its outcome is then ignored
      // A cancellation waits for the driver call to stop, so a superseding delete never overlaps it; a deadline or
      // shutdown stops waiting, since a driver that ignores the signal could otherwise hold the extension forever.
      await waitUnlessAborted(work, abortedFor(controller.signal, [DeadlineReached, ShuttingDown]))
      if (controller.signal.aborted) throw controller.signal.reason
      this.ctx.metrics.operationEnded(op, 'Succeeded')
      log.info('operation finished')
      return null
    } catch (error) {
      return await this.onFailure(op, attempt, error, controller.signal, steps)
    } finally {
      clearTimeout(deadline)
      clearInterval(watch)
      this.inFlight.delete(controller)
    }
  }

  private async onFailure(op: Operation, attempt: number, thrown: unknown, signal: AbortSignal, steps: DriverSteps): Promise<number | null> {
    // A secret opened outside the job's loaders: still a key fault no retry fixes, never an "internal error" retry.
    const error = thrown instanceof SecretUnavailableError ? encryptionKeyUnavailable('stored secret', thrown) : thrown
    const log = this.log(op, attempt)
    const reason: unknown = signal.aborted ? signal.reason : null
    if (reason instanceof DeadlineReached) {
      await this.failPastDeadline(op, steps)
      return null
    }
    if ((await operationStatus(this.ctx.db, op.id)) !== 'InProgress') {
      log.info('operation ended elsewhere (canceled or superseded); its job stops')
      return null
    }
    if (reason instanceof ShuttingDown || this.shuttingDown) {
      await releaseAttempt(this.ctx.db, op.id)
      return 0
    }
    if (error instanceof NotReadyError) {
      await releaseAttempt(this.ctx.db, op.id)
      log.debug({ reason: error.message }, 'waiting')
      return jittered(error.retryAfterMs)
    }
    const { retry } = this.options
    const transient = !(error instanceof DriverError) || error.kind === 'transient'
    if (transient && attempt < retry.maxAttempts) {
      const delay = retryDelayMs(retry, attempt)
      this.ctx.metrics.retryScheduled(error instanceof DriverError ? error.code : 'InternalError')
      log.warn({ err: loggableError(error), retryInMs: delay }, 'transient failure; will retry')
      await recordRetry(this.ctx.db, op, retryStatus(error, op, attempt, retry.maxAttempts, delay), steps.taken)
      return delay
    }
    const detail = failureDetail(error, op, { attempt, exhausted: transient })
    log.error({ code: detail.code, err: loggableError(error) }, 'operation failed')
    if (await finishOperation(this.ctx.db, op, failedOutcome(detail), steps.taken)) this.ctx.metrics.operationEnded(op, 'Failed', detail.code)
    return null
  }
}

export interface OperationWorkerOptions {
  connection: ConnectionOptions
  prefix: string
  concurrency: number
  /** JOB_STALL_MS: a dead worker's job is handed to another worker after about this long. */
  stallMs: number
}

export function startOperationWorker(runner: OperationRunner, log: WorkerContext['log'], options: OperationWorkerOptions): Worker {
  const worker = new Worker<JobPayloads[OperationKind]>(OPERATIONS_QUEUE, (job, token) => runner.process(job, token), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.stallMs,
    stalledInterval: Math.max(500, Math.floor(options.stallMs / 2)),
    // Beyond this BullMQ fails the job; the reconciler then delivers the operation again.
    maxStalledCount: 2,
    autorun: true,
  })
  // Redis outages are survived by reconnecting; an unhandled 'error' event would crash the process.
  worker.on('error', (error) => log.warn({ err: error.message }, 'worker connection error'))
  return worker
}
