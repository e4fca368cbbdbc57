// What a job acts on, as the runner read it from Postgres when it counted the attempt (never from job data), with
// secrets opened only here.
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { clusterFacts } from '../../core/domain/cluster-facts.js'
import { releaseValues } from '../../core/domain/drift.js'
import { releaseNamespaceFor } from '../../core/domain/extension-release.js'
import type { ClaimedExtension } from '../../core/store/operation-claim.js'
import type { Operation } from '../../core/store/operations.js'
import { SecretUnavailableError } from '../../core/secrets.js'
import type { WorkerContext } from '../context.js'
import { DriverError, type ClusterDriver, type ReleaseSpec, type TargetCluster } from '../drivers/driver.js'
import { encryptionKeyUnavailable } from '../drivers/driver-errors.js'
import { valuesDigest } from '../drivers/values-digest.js'

export interface ExtensionTarget {
  extension: Omit<ClaimedExtension, 'cluster'>
  spec: ExtensionSpec
  cluster: TargetCluster
  driver: ClusterDriver
}

/** Opens a stored secret; one that cannot be opened fails the operation at once, naming what it was. */
function opened<T>(secret: { what: string; replacedBy: string }, sealed: string | null, open: (sealed: string) => T): T | null {
  if (sealed === null) return null
  try {
    return open(sealed)
  } catch (error) {
    if (error instanceof SecretUnavailableError) throw encryptionKeyUnavailable(secret.what, error, secret.replacedBy)
    throw error
  }
}

/** The extension this operation holds, or null when the operation no longer owns it (superseded or removed). */
export function extensionTarget(ctx: WorkerContext, op: Operation, extension: ClaimedExtension | null): ExtensionTarget | null {
  if (!op.extensionId || !extension || extension.id !== op.extensionId || extension.activeOperationId !== op.id) return null
  return targetOf(ctx, extension)
}

/** The extension with its cluster's driver and opened kubeconfig. */
export function targetOf(ctx: WorkerContext, extension: ClaimedExtension): ExtensionTarget {
  const { cluster, ...row } = extension
  return { extension: row, spec: extension.spec as unknown as ExtensionSpec, ...clusterTarget(ctx, cluster) }
}

/** A cluster row as its driver is called with, and that driver; the kubeconfig is opened here. */
export function clusterTarget(ctx: WorkerContext, cluster: ClaimedExtension['cluster']): { cluster: TargetCluster; driver: ClusterDriver } {
  const driver = ctx.drivers[cluster.driver]
  if (!driver) {
    throw new DriverError('permanent', ErrorCodes.UnknownClusterDriver, `Cluster driver '${cluster.driver}' is not available in this worker.`)
  }
  return {
    driver,
    cluster: {
      id: cluster.id,
      resourceId: cluster.resourceId,
      facts: clusterFacts(cluster),
      kubeconfig: opened({ what: 'kubeconfig of the cluster', replacedBy: 'Setting the kubeconfig again (PUT /admin/clusters/{cluster id}/driver) replaces it.' }, cluster.kubeconfigSealed, (sealed) =>
        ctx.secrets.open(sealed),
      ),
    },
  }
}

/**
 * The release the extension's spec asks for. `version` overrides the planner's choice: a rollback or repair
 * re-applies exactly the last known good version, and an auto-upgrade exactly the version its sweep chose.
 */
export function releaseFor(ctx: WorkerContext, target: ExtensionTarget, version?: string): ReleaseSpec {
  const { extension, spec } = target
  const inputs = {
    version: version ?? ctx.planner.targetVersion(spec, extension.currentVersion),
    values: releaseValues(spec.configurationSettings),
    protectedValues:
      opened(
        { what: 'configurationProtectedSettings of the extension', replacedBy: 'Sending the complete configurationProtectedSettings again with PUT replaces them.' },
        extension.protectedSettingsSealed,
        (sealed) => ctx.secrets.openJson<Record<string, string>>(sealed),
      ) ?? {},
  }
  return {
    releaseName: extension.name,
    namespace: releaseNamespaceFor(spec, extension.name, ctx.planner.defaultNamespace(spec.extensionType)),
    extensionType: spec.extensionType,
    ...inputs,
    valuesDigest: valuesDigest(ctx.secrets, inputs),
  }
}
