// Runs operation jobs: one BullMQ Worker, one handler per job kind, one error policy for all of them.
// Transient driver faults are retried by BullMQ with exponential backoff and jitter; permanent faults, and
// transient ones on the last attempt, end the operation Failed with an error a user can act on.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq'
import { isTerminal, type ErrorDetail, type OperationKind } from '../core/domain/model.js'
import { OPERATIONS_QUEUE, type JobPayloads } from '../core/queue.js'
import { finishExtensionOperation, loadOperation, recordAttempt, type Operation } from '../core/store/operations.js'
import type { WorkerContext } from './context.js'
import { DriverError } from './drivers/driver.js'
import { applyExtension } from './jobs/apply-extension.js'
import { uninstallExtension } from './jobs/uninstall-extension.js'

type Handler = (ctx: WorkerContext, op: Operation) => Promise<void>

const HANDLERS: Record<OperationKind, Handler> = {
  'extension.install': applyExtension,
  'extension.update': applyExtension,
  'extension.delete': uninstallExtension,
}

function failureDetail(error: unknown, op: Operation): ErrorDetail {
  if (error instanceof DriverError) {
    return { code: error.code, message: error.message, target: op.resourceId }
  }
  return {
    code: 'ExtensionOperationFailed',
    message: `The ${op.kind} operation failed: ${(error as Error)?.message ?? String(error)}`,
    target: op.resourceId,
  }
}

export async function runOperationJob(ctx: WorkerContext, job: Job<JobPayloads[OperationKind]>): Promise<void> {
  const op = await loadOperation(ctx.db, job.data.operationId)
  if (!op || isTerminal(op.status)) return // duplicate or late delivery: nothing to do
  const handler = HANDLERS[op.kind as OperationKind]
  const log = ctx.log.child({ operationId: op.id, kind: op.kind, resourceId: op.resourceId, attempt: job.attemptsMade + 1 })
  await recordAttempt(ctx.db, op.id)
  try {
    if (!handler) throw new DriverError('permanent', 'UnknownOperationKind', `This worker cannot run operations of kind '${op.kind}'.`)
    await handler(ctx, op)
    log.info('operation finished')
  } catch (error) {
    const permanent = !(error instanceof DriverError) || error.kind === 'permanent'
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
    if (!permanent && !lastAttempt) {
      log.warn({ err: (error as Error).message }, 'transient failure; will retry')
      throw error
    }
    const detail = failureDetail(error, op)
    log.error({ code: detail.code, err: (error as Error).message }, 'operation failed')
    await finishExtensionOperation(ctx.db, op, {
      status: 'Failed',
      error: detail,
      statuses: [{ code: detail.code, displayStatus: 'Failed', level: 'Error', message: detail.message, time: new Date().toISOString() }],
    })
    throw new UnrecoverableError(detail.message)
  }
}

export function startOperationWorker(ctx: WorkerContext, options: { connection: ConnectionOptions; prefix: string; concurrency: number }): Worker {
  const worker = new Worker<JobPayloads[OperationKind]>(OPERATIONS_QUEUE, (job) => runOperationJob(ctx, job), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: true,
  })
  // Redis outages are survived by reconnecting; an unhandled 'error' event would crash the process.
  worker.on('error', (error) => ctx.log.warn({ err: error.message }, 'worker connection error'))
  return worker
}
