// extension.delete: remove the release, then the resource. Removing an absent release is success.
// A cluster DELETE with forceDelete gives its extensions' deletes the flag (an extension DELETE with it is answered at
// once and cleaned up by jobs/cleanup-release.ts): the resource then goes even when the release cannot be removed
// (cluster unreachable, driver gone, uninstall failing or hanging), and the operation says what may be left (docs/arm-rules.md rule 33).
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import { waitUnlessAborted } from '../../core/abortable-wait.js'
import { releaseNamespaceFor } from '../../core/domain/extension-release.js'
import { finishExtensionOperation, operationFlag, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { DriverError } from '../drivers/driver.js'
import { failureReason, loggableError } from '../error-facts.js'
import { extensionTarget, type ExtensionTarget } from './extension-target.js'
import type { OperationRun } from './operation-run.js'

/** How long a forced delete gives the uninstall before removing the resource anyway. */
export const FORCE_DELETE_UNINSTALL_TIMEOUT_MS = 30_000

function namespaceOf(ctx: WorkerContext, target: ExtensionTarget): string | undefined {
  try {
    return releaseNamespaceFor(target.spec, target.extension.name, ctx.planner.defaultNamespace(target.spec.extensionType))
  } catch {
    return undefined // the type left the catalog; the driver finds the release without the hint
  }
}

export async function uninstallExtension(ctx: WorkerContext, op: Operation, run: OperationRun): Promise<void> {
  if (!operationFlag(op, 'forceDelete')) {
    const target = extensionTarget(ctx, op, run.extension)
    if (target) await target.driver.uninstall(target.cluster, target.extension.name, { signal: run.signal, namespace: namespaceOf(ctx, target), steps: run.steps })
    await finishExtensionOperation(ctx.db, op, { status: 'Succeeded' }, run.steps.taken)
    return
  }
  let releaseName = op.resourceId.split('/').pop() ?? ''
  let clusterId = ''
  try {
    const target = extensionTarget(ctx, op, run.extension)
    if (target) {
      releaseName = target.extension.name
      clusterId = target.cluster.resourceId
      const limit = AbortSignal.timeout(FORCE_DELETE_UNINSTALL_TIMEOUT_MS)
      const signal = AbortSignal.any([run.signal, limit])
      // Stops waiting at the limit even for a driver that ignores its signal.
      await waitUnlessAborted(
        target.driver.uninstall(target.cluster, releaseName, { signal, namespace: namespaceOf(ctx, target), steps: run.steps }),
        signal,
        () => new DriverError('transient', ErrorCodes.UninstallTimedOut, `the uninstall did not finish within ${FORCE_DELETE_UNINSTALL_TIMEOUT_MS / 1000} s`),
      )
    }
  } catch (error) {
    // Canceled or shutting down: not ours to finish.
    if (run.signal.aborted) throw run.signal.reason
    const said = failureReason(error)
    const reason = /[.!?]$/.test(said) ? said : `${said}.`
    const cleanup =
      `forceDelete removed the extension without uninstalling release '${releaseName}'${clusterId ? ` from cluster '${clusterId}'` : ''}: ${reason} ` +
      'Its Kubernetes resources may remain on the cluster; remove them there (for example with helm uninstall).'
    ctx.log.warn({ operationId: op.id, resourceId: op.resourceId, err: loggableError(error) }, 'forced delete: cluster cleanup may remain')
    await finishExtensionOperation(ctx.db, op, { status: 'Succeeded', properties: { cleanupMayRemain: true, cleanupMessage: cleanup } }, run.steps.taken)
    return
  }
  await finishExtensionOperation(ctx.db, op, { status: 'Succeeded', properties: { cleanupMayRemain: false } }, run.steps.taken)
}
