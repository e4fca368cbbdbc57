// A failed auto-upgrade is not tried again for the same version on the same extension: the sweep moves on only when
// the catalog offers a newer target. The version each auto-upgrade aimed at is in its operation's properties
// (`targetVersion`), so the failures are read from the operations themselves, one statement per page of the sweep.
// An extension left Failed by its failed auto-upgrade (its previous release still serving) stays in the sweep; one
// left Failed by anything else waits for its owner.
import type { Db } from '../../core/db/client.js'
import { autoUpgradeHistories } from '../../core/store/auto-upgrade-candidates.js'
import type { Extension } from '../../core/store/extensions.js'

export interface AutoUpgradeFailures {
  /** Versions this extension's failed auto-upgrades aimed at. */
  versions: ReadonlySet<string>
  /** Whether its latest operation is a failed auto-upgrade. */
  latestFailed: boolean
}

export async function autoUpgradeFailures(db: Db, extensions: readonly Pick<Extension, 'id' | 'idKey'>[]): Promise<Map<string, AutoUpgradeFailures>> {
  const histories = await autoUpgradeHistories(db, extensions)
  return new Map(histories.map((history) => [history.extensionId, { versions: new Set(history.failedTargets), latestFailed: history.latest === 'extension.upgrade Failed' }]))
}

/** Whether the sweep may start an auto-upgrade of `extension` to `target`, given its failures. */
export function autoUpgradeAllowed(extension: Pick<Extension, 'provisioningState'>, target: string, failures: AutoUpgradeFailures | undefined): boolean {
  if (extension.provisioningState !== 'Succeeded' && !failures?.latestFailed) return false
  return !failures?.versions.has(target)
}
