// cluster.delete: the api gave every extension of the cluster its own delete operation when it accepted the
// request; this job waits for them and then removes the registration. An extension whose delete failed stops
// the cluster deletion with that extension's error, so nothing is left half-removed without saying why.
import type { ErrorDetail } from '../../core/domain/model.js'
import { finishClusterOperation, recordProgress, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { DriverError } from '../drivers/driver.js'
import { NotReadyError, type OperationRun } from './operation-run.js'

const POLL_MS = 500

export async function deleteCluster(ctx: WorkerContext, op: Operation, _run?: OperationRun): Promise<void> {
  if (!op.clusterId) throw new DriverError('permanent', 'InvalidOperation', `Operation ${op.id} names no cluster.`)
  const remaining = await ctx.db.extension.findMany({
    where: { clusterId: op.clusterId },
    select: { name: true, activeOperationId: true, errorInfo: true },
    orderBy: { nameKey: 'asc' },
  })
  if (remaining.length === 0) {
    const finished = await finishClusterOperation(ctx.db, op, { status: 'Succeeded' })
    if (finished === 'extensionsRemain') throw new NotReadyError('an extension appeared while the cluster was being removed', POLL_MS)
    return
  }
  const activeIds = remaining.map((e) => e.activeOperationId).filter((id): id is string => id !== null)
  const deleting = new Set(
    (await ctx.db.operation.findMany({ where: { id: { in: activeIds }, status: 'InProgress', kind: 'extension.delete' }, select: { id: true } })).map((o) => o.id),
  )
  const total = Number((op.properties as Record<string, unknown>).extensionCount) || remaining.length
  await recordProgress(ctx.db, op.id, Math.max(0, Math.min(99, Math.floor(((total - remaining.length) / total) * 100))))
  const failed = remaining.filter((e) => !e.activeOperationId || !deleting.has(e.activeOperationId))
  if (failed.length === 0) throw new NotReadyError(`waiting for ${remaining.length} extension deletion(s)`, POLL_MS)
  const reasons = failed.map((e) => {
    const error = e.errorInfo as ErrorDetail | null
    return `'${e.name}'${error?.message ? ` (${error.code}: ${error.message})` : ''}`
  })
  throw new DriverError(
    'permanent',
    'ExtensionDeletionFailed',
    `The cluster was not deleted because ${failed.length === 1 ? 'its extension' : 'these extensions'} could not be deleted: ${reasons.join('; ')}`,
  )
}
