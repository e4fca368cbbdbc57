// extension.cleanup: after a forceDelete removed the resource at once (docs/arm-rules.md rule 33), a best-effort
// uninstall of its release. One attempt, bounded like a forced delete's; it never writes an extension row, and its
// outcome (a failure included) is recorded on the operation only, for operators (GET /admin/operations).
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import { waitUnlessAborted } from '../../core/abortable-wait.js'
import { findClusterById } from '../../core/store/clusters.js'
import { findExtension } from '../../core/store/extensions.js'
import { finishExtensionOperation, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { DriverError } from '../drivers/driver.js'
import { failureReason, loggableError } from '../error-facts.js'
import { clusterTarget } from './extension-target.js'
import type { OperationRun } from './operation-run.js'
import { FORCE_DELETE_UNINSTALL_TIMEOUT_MS } from './uninstall-extension.js'

function releaseOf(op: Operation): { releaseName: string; releaseNamespace?: string } {
  const properties = (op.properties ?? {}) as Record<string, unknown>
  const releaseName = typeof properties.releaseName === 'string' ? properties.releaseName : (op.resourceId.split('/').pop() ?? '')
  return { releaseName, ...(typeof properties.releaseNamespace === 'string' ? { releaseNamespace: properties.releaseNamespace } : {}) }
}

export async function cleanupRelease(ctx: WorkerContext, op: Operation, run: OperationRun): Promise<void> {
  const { releaseName, releaseNamespace } = releaseOf(op)
  // An extension created again under the same id owns the release now: removing it would undo that install.
  if (await findExtension(ctx.db, op.resourceIdKey)) {
    await finishExtensionOperation(ctx.db, op, { status: 'Succeeded', properties: { cleanupSkipped: 'the extension was created again before its cleanup ran' } })
    return
  }
  const row = op.clusterId ? await findClusterById(ctx.db, op.clusterId) : null
  if (!row) {
    await finishExtensionOperation(ctx.db, op, { status: 'Succeeded', properties: { cleanupSkipped: 'the cluster registration is gone' } })
    return
  }
  try {
    const { cluster, driver } = clusterTarget(ctx, row)
    const limit = AbortSignal.timeout(FORCE_DELETE_UNINSTALL_TIMEOUT_MS)
    const signal = AbortSignal.any([run.signal, limit])
    await waitUnlessAborted(
      driver.uninstall(cluster, releaseName, { signal, namespace: releaseNamespace }),
      signal,
      () => new DriverError('transient', ErrorCodes.UninstallTimedOut, `the uninstall did not finish within ${FORCE_DELETE_UNINSTALL_TIMEOUT_MS / 1000} s`),
    )
  } catch (error) {
    if (run.signal.aborted) throw run.signal.reason
    ctx.log.warn({ operationId: op.id, resourceId: op.resourceId, err: loggableError(error) }, 'forceDelete cleanup failed: cluster resources may remain')
    // Permanent: one best-effort attempt; the runner records the failure on the operation (operation-failures.ts words it).
    throw new DriverError('permanent', ErrorCodes.ForceDeleteCleanupFailed, `release '${releaseName}' on cluster '${row.resourceId}' could not be uninstalled: ${failureReason(error)}`)
  }
  await finishExtensionOperation(ctx.db, op, { status: 'Succeeded' })
}
