// The auto-upgrade sweep: every Succeeded extension with autoUpgradeMinorVersion=true whose release train gained
// a newer version its autoUpgradeMode reaches (compatible: minor or patch of its major; patch: patch of its minor) gets an `extension.upgrade` operation, accepted exactly like a
// caller's change (resource + operation + outbox row in one transaction, then delivered), so it has an operation id, statuses,
// retries and reconciliation like any other. The operation names the version the sweep chose (`targetVersion`), which
// the apply job installs exactly; like plannedVersion it never crosses a major nor skips an upgradeFrom minimum, so
// a path with a required stop is walked one sweep per step. A failed auto-upgrade is not
// tried again for the same version (auto-upgrade-failures.ts); the previous release keeps serving meanwhile.
import type { Logger } from 'pino'
import { loadCatalog, newestAutoUpgradeTarget, type Catalog } from '../../core/catalog/index.js'
import type { Db } from '../../core/db/client.js'
import { ConcurrentModificationError, OperationInProgressError } from '../../core/domain/errors.js'
import { autoUpgradeReach } from '../../core/domain/auto-upgrade.js'
import type { Caller, ExtensionSpec } from '../../core/domain/model.js'
import type { OperationQueue } from '../../core/queue.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import { listAutoUpgradeCandidates } from '../../core/store/auto-upgrade-candidates.js'
import { acceptExtensionChange, type Extension } from '../../core/store/extensions.js'
import { autoUpgradeAllowed, autoUpgradeFailures } from './auto-upgrade-failures.js'

/** Who the operation and logs name as the actor: the service itself, not a user. */
export const AUTO_UPGRADE_CALLER: Caller = { id: 'arcext-auto-upgrade', type: 'Application' }

/** An operation records the api-version its Location result is rendered in; with no request behind it, the newest stable one. */
export const AUTO_UPGRADE_API_VERSION = '2023-05-01'

export interface AutoUpgradeStarted {
  resourceId: string
  operationId: string
  fromVersion: string
  toVersion: string
}

export interface SweepResult {
  /** Auto-upgrading extensions looked at. */
  examined: number
  started: AutoUpgradeStarted[]
}

export interface SweepDependencies {
  db: Db
  queue: OperationQueue
  log: Logger
  /** Defaults to reading CATALOG_FILE afresh, so an operator's edit is picked up by the next sweep without a restart. */
  catalog?: Catalog
  /** Rows read per query, so a large fleet is swept in bounded memory. */
  batchSize?: number
}

/**
 * The version an extension should auto-upgrade to, or null when it should stay. Pinned extensions and mode `none`
 * never move; mode `patch` stays on its major.minor, `compatible` on its major.
 */
export function autoUpgradeTarget(catalog: Catalog, extension: Pick<Extension, 'extensionType' | 'currentVersion' | 'spec'>): string | null {
  const spec = extension.spec as unknown as ExtensionSpec
  const reach = autoUpgradeReach(spec)
  if (reach === 'none' || !extension.currentVersion) return null
  const type = catalog.findType(extension.extensionType)
  return type ? newestAutoUpgradeTarget(type, spec.releaseTrain, extension.currentVersion, reach) : null
}

async function startUpgrade(deps: SweepDependencies, extension: Extension, toVersion: string): Promise<AutoUpgradeStarted | null> {
  let accepted
  try {
    // The job applies exactly this version, and a failure is remembered against it (auto-upgrade-failures.ts).
    accepted = await acceptExtensionChange(deps.db, extension, {
      kind: 'extension.upgrade',
      caller: AUTO_UPGRADE_CALLER,
      apiVersion: AUTO_UPGRADE_API_VERSION,
      properties: { targetVersion: toVersion },
    })
  } catch (error) {
    // A caller changed the extension (or is deleting it or its cluster) since it was read; the next sweep judges it again.
    if (error instanceof OperationInProgressError || error instanceof ConcurrentModificationError) return null
    throw error
  }
  await deliverOrLeaveToOutbox(deps.db, deps.queue, [accepted.operation], deps.log)
  return { resourceId: extension.resourceId, operationId: accepted.operation.id, fromVersion: extension.currentVersion as string, toVersion }
}

export async function sweepAutoUpgrades(deps: SweepDependencies): Promise<SweepResult> {
  const catalog = deps.catalog ?? loadCatalog()
  const batchSize = deps.batchSize ?? 500
  const result: SweepResult = { examined: 0, started: [] }
  let after: string | null = null
  for (;;) {
    const batch = await listAutoUpgradeCandidates(deps.db, after, batchSize)
    const failures = await autoUpgradeFailures(deps.db, batch)
    for (const extension of batch) {
      result.examined += 1
      const target = autoUpgradeTarget(catalog, extension)
      if (!target || !autoUpgradeAllowed(extension, target, failures.get(extension.id))) continue
      const started = await startUpgrade(deps, extension, target)
      if (started) {
        result.started.push(started)
        deps.log.info(started, 'auto-upgrade started')
      }
    }
    if (batch.length < batchSize) return result
    after = (batch[batch.length - 1] as Extension).id
  }
}
