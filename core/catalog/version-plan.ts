// Which version an apply leaves installed: shared by the workers (what they install) and the api's what-if (what a
// request would install), so a preview can never disagree with the apply it previews.
import { autoUpgradeReach } from '../domain/auto-upgrade.js'
import type { ExtensionSpec } from '../domain/model.js'
import type { ExtensionTypeSpec } from './catalog-types.js'
import { findReleaseTrain, findVersion } from './release-trains.js'
import { newestAutoUpgradeTarget, resolveVersion } from './rules.js'

/**
 * The version an apply should leave installed, given what is installed now:
 * - pinned (`version` set): that version;
 * - first install, or a switch to a train the installed version is not on: the newest supported version of the train;
 * - autoUpgradeMinorVersion: the newest version of the train its autoUpgradeMode reaches (`compatible`: the installed
 *   major, `patch`: the installed major.minor), never a new major (a major bump may break, so it needs an explicit pin);
 * - otherwise the installed version stays, so an unrelated change (settings) never moves an extension.
 * Throws when the train is unknown or lists no version.
 */
export function planVersion(type: ExtensionTypeSpec, spec: ExtensionSpec, currentVersion: string | null): string {
  const train = findReleaseTrain(type, spec.releaseTrain)
  if (spec.version !== null || currentVersion === null || !train || !findVersion(train, currentVersion)) {
    return resolveVersion(type, spec.releaseTrain, spec.version)
  }
  const reach = autoUpgradeReach(spec)
  if (reach === 'none') return currentVersion
  return newestAutoUpgradeTarget(type, spec.releaseTrain, currentVersion, reach) ?? currentVersion
}
