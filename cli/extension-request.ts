// What the ext and sim commands send: the cluster (-c CLUSTER) and the extension a command names, and the properties
// of a PUT or PATCH body from the options `ext install` and `ext whatif` share.
import type { Context, Options } from './context.js'
import { UsageError } from './errors.js'
import { CLUSTER_OPTIONS, EXTENSION_API_VERSION, clusterId, extensionsPath } from './resources.js'

export const CLUSTER: Options = { ...CLUSTER_OPTIONS, cluster: { type: 'string', short: 'c' } }
export const API = `api-version=${EXTENSION_API_VERSION}`

/** The cluster of an ext command: -c/--cluster (a name, with -s and -g, or a resource id). */
export function clusterOf(context: Context): string {
  const cluster = context.string('cluster')
  if (!cluster) throw new UsageError('name the cluster with -c/--cluster (a name with -s and -g, or a resource id)')
  return clusterId(context, cluster)
}

export const extensionPath = (context: Context) => `${extensionsPath(clusterOf(context))}/${encodeURIComponent(context.argument(0, 'the extension name'))}`

export const PROPERTY_USAGE = '-t TYPE [--version V | --release-train T] [--auto-upgrade true|false] [--config k=v ...] [--protected k=v ...]'

export const PROPERTY_OPTIONS: Options = {
  type: { type: 'string', short: 't' },
  version: { type: 'string' },
  'release-train': { type: 'string' },
  'auto-upgrade': { type: 'string' },
  config: { type: 'string', multiple: true },
  protected: { type: 'string', multiple: true },
}

/** key=value pairs of a repeated option, as a settings map. */
function settings(context: Context, option: string): Record<string, string> | undefined {
  const pairs = context.list(option)
  if (pairs.length === 0) return undefined
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=')
      if (at <= 0) throw new UsageError(`--${option} takes key=value, not '${pair}'`)
      return [pair.slice(0, at), pair.slice(at + 1)]
    }),
  )
}

/** The body's properties from the options given; those not given stay out of the JSON. */
export function propertiesOf(context: Context): Record<string, unknown> {
  const autoUpgrade = context.string('auto-upgrade')
  if (autoUpgrade !== undefined && autoUpgrade !== 'true' && autoUpgrade !== 'false') throw new UsageError(`--auto-upgrade is true or false, not '${autoUpgrade}'`)
  return {
    extensionType: context.string('type'),
    version: context.string('version'),
    releaseTrain: context.string('release-train'),
    autoUpgradeMinorVersion: autoUpgrade === undefined ? undefined : autoUpgrade === 'true',
    configurationSettings: settings(context, 'config'),
    configurationProtectedSettings: settings(context, 'protected'),
  }
}
