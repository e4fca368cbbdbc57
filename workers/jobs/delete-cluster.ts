// cluster.delete: the api gave every extension of the cluster its own delete operation when it accepted the
// request; this job waits for them and then removes the registration. An extension whose delete failed stops
// the cluster deletion with that extension's error, so nothing is left half-removed without saying why.
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import { extensionsLeftOnCluster, type RemainingExtension } from '../../core/store/cluster-extensions-left.js'
import { finishClusterOperation, recordProgress, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { DriverError } from '../drivers/driver.js'
import { NotReadyError, type OperationRun } from './operation-run.js'

const POLL_MS = 500

/** A delete still running, or one that succeeded (its row goes in the same transaction, so it is on its way out). */
function isBeingDeleted(extension: RemainingExtension): boolean {
  return extension.activeKind === 'extension.delete' && (extension.activeStatus === 'InProgress' || extension.activeStatus === 'Succeeded')
}

export async function deleteCluster(ctx: WorkerContext, op: Operation, _run?: OperationRun): Promise<void> {
  if (!op.clusterId) throw new DriverError('permanent', ErrorCodes.InvalidOperation, `Operation ${op.id} names no cluster.`)
  const remaining = await extensionsLeftOnCluster(ctx.db, op.clusterId)
  if (remaining.length === 0) {
    const finished = await finishClusterOperation(ctx.db, op, { status: 'Succeeded' })
    if (finished === 'extensionsRemain') throw new NotReadyError('an extension appeared while the cluster was being removed', POLL_MS)
    return
  }
  const total = Number((op.properties as Record<string, unknown>).extensionCount) || remaining.length
  await recordProgress(ctx.db, op.id, Math.max(0, Math.min(99, Math.floor(((total - remaining.length) / total) * 100))))
  const failed = remaining.filter((e) => !isBeingDeleted(e))
  if (failed.length === 0) throw new NotReadyError(`waiting for ${remaining.length} extension deletion(s)`, POLL_MS)
  const reasons = failed.map((e) => `'${e.name}'${e.errorInfo?.message ? ` (${e.errorInfo.code}: ${e.errorInfo.message})` : ''}`)
  throw new DriverError(
    'permanent',
    ErrorCodes.ExtensionDeletionFailed,
    `The cluster was not deleted because ${failed.length === 1 ? 'its extension' : 'these extensions'} could not be deleted: ${reasons.join('; ')}`,
  )
}
