// extension.install and extension.update: bring the cluster to the desired release, idempotently.
// An observed release that already matches is recorded as success without touching the cluster.
import type { ExtensionStatus } from '../../core/domain/model.js'
import { finishExtensionOperation, recordProgress, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { valuesDigest } from '../drivers/values-digest.js'
import { loadExtensionTarget, releaseFor } from './extension-target.js'

export async function applyExtension(ctx: WorkerContext, op: Operation): Promise<void> {
  const target = await loadExtensionTarget(ctx, op)
  if (!target) {
    await finishExtensionOperation(ctx.db, op, {
      status: 'Canceled',
      error: { code: 'OperationSuperseded', message: 'The extension was changed or removed by a later request before this operation ran.' },
    })
    return
  }
  const release = releaseFor(ctx, target)
  const observed = await target.driver.observe(target.cluster, release.releaseName)
  const inSync = observed?.status === 'deployed' && observed.valuesDigest === valuesDigest(release)
  await recordProgress(ctx.db, op.id, 10)
  if (!inSync) await target.driver.apply(target.cluster, release)
  const deployed: ExtensionStatus = {
    code: 'ReleaseDeployed',
    displayStatus: 'Deployed',
    level: 'Information',
    message: `Release '${release.releaseName}' of ${release.extensionType} version ${release.version} is deployed in namespace '${release.namespace}'.`,
    time: new Date().toISOString(),
  }
  await finishExtensionOperation(ctx.db, op, { status: 'Succeeded', currentVersion: release.version, statuses: [deployed, ...ctx.planner.advisoryStatuses(release.extensionType)] })
}
