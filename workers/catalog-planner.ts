// The worker's view of the extension-type catalog: which version to install and where.
import { ErrorCodes } from '../core/domain/error-catalogue.js'
import { defaultCatalog, advisoryStatusesFor, planVersion, type Catalog } from '../core/catalog/index.js'
import type { ExtensionSpec } from '../core/domain/model.js'
import type { ReleasePlanner } from './context.js'
import { DriverError } from './drivers/driver.js'

/** The version an apply should leave installed (core/catalog/version-plan.ts), as a worker's permanent failure when there is none. */
export function plannedVersion(catalog: Catalog, spec: ExtensionSpec, currentVersion: string | null): string {
  const type = catalog.findType(spec.extensionType)
  // The api validated the type; it can vanish only if an operator removed it from the catalog since.
  if (!type) throw new DriverError('permanent', ErrorCodes.ExtensionTypeNotInCatalog, `Extension type '${spec.extensionType}' is no longer in the extension-type catalog.`)
  try {
    return planVersion(type, spec, currentVersion)
  } catch (error) {
    throw new DriverError('permanent', ErrorCodes.NoInstallableVersion, (error as Error).message)
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
    if (!spec) throw new DriverError('permanent', ErrorCodes.ExtensionTypeNotInCatalog, `Extension type '${name}' is no longer in the extension-type catalog.`)
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
