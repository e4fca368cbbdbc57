// extension.install, extension.update and extension.upgrade: bring the cluster to the desired release, idempotently.
// An observed release that already matches is recorded as success without touching the cluster.
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import type { ExtensionStatus } from '../../core/domain/model.js'
import { finishExtensionOperation, recordProgress, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { valuesDigestMatches } from '../drivers/values-digest.js'
import { extensionTarget, releaseFor } from './extension-target.js'
import type { OperationRun } from './operation-run.js'

const superseded = {
  status: 'Canceled' as const,
  error: { code: ErrorCodes.OperationCanceled, message: 'Canceled: the extension was changed or removed by a later request before this operation ran.' },
}

export async function applyExtension(ctx: WorkerContext, op: Operation, run: OperationRun): Promise<void> {
  const target = extensionTarget(ctx, op, run.extension)
  if (!target) {
    await finishExtensionOperation(ctx.db, op, superseded)
    return
  }
  const release = releaseFor(ctx, target)
  const call = { signal: run.signal, namespace: release.namespace, steps: run.steps }
  const observed = await target.driver.observe(target.cluster, release.releaseName, call)
  const inSync = observed?.status === 'deployed' && valuesDigestMatches(ctx.secrets, release, observed.valuesDigest)
  await recordProgress(ctx.db, op.id, 10)
  // A DELETE may have canceled this operation while we looked; starting the install now would only race it.
  if (run.signal.aborted) throw run.signal.reason
  if (!inSync) await target.driver.apply(target.cluster, release, call)
  const deployed: ExtensionStatus = {
    code: ErrorCodes.ReleaseDeployed,
    displayStatus: 'Deployed',
    level: 'Information',
    message: `Release '${release.releaseName}' of ${release.extensionType} version ${release.version} is deployed in namespace '${release.namespace}'.`,
    time: new Date().toISOString(),
  }
  await finishExtensionOperation(ctx.db, op, { status: 'Succeeded', currentVersion: release.version, statuses: [deployed, ...ctx.planner.advisoryStatuses(release.extensionType)] }, run.steps.taken)
}
