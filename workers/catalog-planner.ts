// The worker's view of the extension-type catalog: which version to install and where.
import { defaultCatalog, findReleaseTrain, findVersion, newestAutoUpgradeTarget, advisoryStatusesFor, resolveVersion, type Catalog } from '../core/catalog/index.js'
import { autoUpgradeReach } from '../core/domain/auto-upgrade.js'
import type { ExtensionSpec } from '../core/domain/model.js'
import type { ReleasePlanner } from './context.js'
import { DriverError } from './drivers/driver.js'

/**
 * The version an apply should leave installed, given what is installed now:
 * - pinned (`version` set): that version;
 * - first install, or a switch to a train the installed version is not on: the newest supported version of the train;
 * - autoUpgradeMinorVersion: the newest version of the train its autoUpgradeMode reaches (`compatible`: the installed
 *   major, `patch`: the installed major.minor), never a new major (a major bump may break, so it needs an explicit pin);
 * - otherwise the installed version stays, so an unrelated change (settings) never moves an extension.
 */
export function plannedVersion(catalog: Catalog, spec: ExtensionSpec, currentVersion: string | null): string {
  const type = catalog.findType(spec.extensionType)
  // The api validated the type; it can vanish only if an operator removed it from the catalog since.
  if (!type) throw new DriverError('permanent', 'ExtensionTypeNotInCatalog', `Extension type '${spec.extensionType}' is no longer in the extension-type catalog.`)
  try {
    const train = findReleaseTrain(type, spec.releaseTrain)
    if (spec.version !== null || currentVersion === null || !train || !findVersion(train, currentVersion)) {
      return resolveVersion(type, spec.releaseTrain, spec.version)
    }
    const reach = autoUpgradeReach(spec)
    if (reach === 'none') return currentVersion
    return newestAutoUpgradeTarget(type, spec.releaseTrain, currentVersion, reach) ?? currentVersion
  } catch (error) {
    throw new DriverError('permanent', 'NoInstallableVersion', (error as Error).message)
  }
}

/**
 * `catalog` defaults to the process catalog, which follows CATALOG_FILE, so a version an operator adds is
 * installable (and the auto-upgrade sweep's operations reach it) without restarting workers.
 */
export function catalogPlanner(catalog: Catalog | (() => Catalog) = defaultCatalog): ReleasePlanner {
  const current = typeof catalog === 'function' ? catalog : () => catalog
  const typeOf = (name: string) => {
    const spec = current().findType(name)
    if (!spec) throw new DriverError('permanent', 'ExtensionTypeNotInCatalog', `Extension type '${name}' is no longer in the extension-type catalog.`)
    return spec
  }
  return {
    targetVersion(spec: ExtensionSpec, currentVersion: string | null): string {
      return plannedVersion(current(), spec, currentVersion)
    },
    defaultNamespace(extensionType: string): string | null {
      return typeOf(extensionType).defaultReleaseNamespace
    },
    advisoryStatuses(extensionType: string) {
      const now = new Date()
      return advisoryStatusesFor(typeOf(extensionType), now).map((status) => ({ ...status, time: now.toISOString() }))
    },
  }
}
