// extension.install, extension.update, extension.upgrade, extension.rollback and extension.repair: bring the cluster
// to the desired release, idempotently. An observed release that already matches is recorded as success without
// touching the cluster. A rollback or repair (and an auto-upgrade) applies exactly the version its operation names.
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import type { ExtensionStatus } from '../../core/domain/model.js'
import { finishExtensionOperation, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { DriverError, type ObservedRelease } from '../drivers/driver.js'
import { valuesDigestMatches } from '../drivers/values-digest.js'
import { extensionTarget, releaseFor } from './extension-target.js'
import type { OperationRun } from './operation-run.js'

const superseded = {
  status: 'Canceled' as const,
  error: { code: ErrorCodes.OperationCanceled, message: 'Canceled: the extension was changed or removed by a later request before this operation ran.' },
}

/** The version the operation was started for (operation properties `targetVersion`), if it names one. */
export function operationTargetVersion(op: Pick<Operation, 'properties'>): string | undefined {
  const version = (op.properties as Record<string, unknown> | null)?.targetVersion
  return typeof version === 'string' ? version : undefined
}

/**
 * A failed upgrade leaves the previous release serving: the simulated driver changes nothing when a step fails, and
 * the helm driver upgrades with --atomic, which rolls a failed upgrade back. The failure says so, and how to go back.
 */
function previousReleaseServing(error: unknown, previous: ObservedRelease): unknown {
  if (!(error instanceof DriverError)) return error
  const message = error.message.trim().replace(/([^.!?)])$/, '$1.')
  const serving = new DriverError(
    error.kind,
    error.code,
    `${message} The previous release, version ${previous.version}, is still serving; POST {extension id}/rollback returns the extension to its last known good version and settings.`,
  )
  if (error.failureClass) serving.failureClass = error.failureClass
  return serving
}

export async function applyExtension(ctx: WorkerContext, op: Operation, run: OperationRun): Promise<void> {
  const target = extensionTarget(ctx, op, run.extension)
  if (!target) {
    await finishExtensionOperation(ctx.db, op, superseded)
    return
  }
  const release = releaseFor(ctx, target, operationTargetVersion(op))
  const call = { signal: run.signal, namespace: release.namespace, steps: run.steps }
  const observed = await target.driver.observe(target.cluster, release.releaseName, call)
  const inSync = observed?.status === 'deployed' && observed.version === release.version && valuesDigestMatches(ctx.secrets, release, observed.valuesDigest)
  // A DELETE may have canceled this operation while we looked; starting the install now would only race it.
  if (run.signal.aborted) throw run.signal.reason
  if (!inSync) {
    try {
      await target.driver.apply(target.cluster, release, call)
    } catch (error) {
      throw observed?.status === 'deployed' ? previousReleaseServing(error, observed) : error
    }
  }
  const deployed: ExtensionStatus = {
    code: ErrorCodes.ReleaseDeployed,
    displayStatus: 'Deployed',
    level: 'Information',
    message: `Release '${release.releaseName}' of ${release.extensionType} version ${release.version} is deployed in namespace '${release.namespace}'.`,
    time: new Date().toISOString(),
  }
  await finishExtensionOperation(ctx.db, op, { status: 'Succeeded', currentVersion: release.version, statuses: [deployed, ...ctx.planner.advisoryStatuses(release.extensionType)] }, run.steps.taken)
}
