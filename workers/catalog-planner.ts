// The worker's view of the extension-type catalog: which version to install and where.
import { defaultCatalog, previewStatusFor, resolveVersion, type Catalog } from '../core/catalog/index.js'
import type { ExtensionSpec } from '../core/domain/model.js'
import type { ReleasePlanner } from './context.js'
import { DriverError } from './drivers/driver.js'

export function catalogPlanner(catalog: Catalog = defaultCatalog()): ReleasePlanner {
  const typeOf = (name: string) => {
    const spec = catalog.findType(name)
    // The api validated the type; it can vanish only if an operator removed it from the catalog since.
    if (!spec) throw new DriverError('permanent', 'ExtensionTypeNotInCatalog', `Extension type '${name}' is no longer in the extension-type catalog.`)
    return spec
  }
  return {
    targetVersion(spec: ExtensionSpec): string {
      try {
        return resolveVersion(typeOf(spec.extensionType), spec.releaseTrain, spec.version)
      } catch (error) {
        if (error instanceof DriverError) throw error
        throw new DriverError('permanent', 'NoInstallableVersion', (error as Error).message)
      }
    },
    defaultNamespace(extensionType: string): string | null {
      return typeOf(extensionType).defaultReleaseNamespace
    },
    advisoryStatuses(extensionType: string) {
      const preview = previewStatusFor(typeOf(extensionType))
      return preview ? [{ ...preview, time: new Date().toISOString() }] : []
    },
  }
}
