// Applies SEED_FILE (core/seed-file.ts) at api start, after migrations and before the listeners open. Every write is
// a request to the api's own routes (`app.inject`, as the process's own operator: api/auth/in-process.ts), so a
// seeded cluster, driver, fault rule or extension is checked and stored exactly as one sent by a client, and a
// seeded extension is an ordinary operation a worker installs. Idempotent: each entry is compared with what is
// stored first and written only when it differs, so a second start with the same file changes nothing and starts
// no operation, and a changed extension becomes an update. Resources the file does not name are left alone.
import type { FastifyInstance, InjectOptions } from 'fastify'
import { findClusterParentType } from '../../core/domain/cluster-types.js'
import type { ExtensionScope } from '../../core/domain/model.js'
import { ConfigError } from '../../core/config.js'
import type { Seed, SeedCluster, SeedExtension, SeedFault } from '../../core/seed-file.js'
import { ruleOperations } from '../../core/simulator/fault-rule.js'
import { clusterDriverIs } from '../../core/store/cluster-driver.js'
import { extensionDocument, findExtension } from '../../core/store/extensions.js'
import { withSeedLock } from '../../core/store/seed-lock.js'
import { canonicalJson } from '../arm/canonical-json.js'
import { idKey } from '../arm/resource-id.js'
import { asInProcessOperator } from '../auth/in-process.js'
import type { Principal } from '../auth/principal.js'

/** Who seeded a resource, as its systemData shows it. */
const SEED_OPERATOR: Principal = {
  objectId: undefined,
  appId: undefined,
  groups: [],
  displayName: 'SEED_FILE',
  tenantId: undefined,
  caller: { id: 'arcext SEED_FILE', type: 'Application' },
}

/** The api-version seeded extensions are written with: the JS SDK's, which every field the seed takes exists in. */
const EXTENSION_API_VERSION = '2023-05-01'

export type SeedOutcome = 'created' | 'updated' | 'unchanged'

export interface SeedSummary {
  clusters: Record<SeedOutcome, number>
  drivers: Record<'updated' | 'unchanged', number>
  faults: Record<SeedOutcome, number>
  extensions: Record<SeedOutcome, number>
}

interface Answer {
  status: number
  body: Record<string, unknown> | undefined
}

/** Extension settings compared as the PUT would store them. */
function scopeOf(scope: SeedExtension['scope']): ExtensionScope | null {
  if (!scope) return null
  return 'namespace' in scope ? { kind: 'namespace', targetNamespace: scope.namespace.targetNamespace ?? null } : { kind: 'cluster', releaseNamespace: scope.cluster.releaseNamespace ?? null }
}

const SERVER_OWNED_CLUSTER_PROPERTIES = ['provisioningState', 'connectivityStatus']

export async function applySeed(app: FastifyInstance, seed: Seed): Promise<SeedSummary> {
  const { db, secrets, config } = app.services
  // A Host the request gate accepts whatever ALLOWED_HOSTS says.
  const host = config.allowedHosts[0] ?? 'localhost'
  const summary: SeedSummary = {
    clusters: { created: 0, updated: 0, unchanged: 0 },
    drivers: { updated: 0, unchanged: 0 },
    faults: { created: 0, updated: 0, unchanged: 0 },
    extensions: { created: 0, updated: 0, unchanged: 0 },
  }

  async function send(method: InjectOptions['method'], url: string, body?: unknown): Promise<Answer> {
    const response = await app.inject({
      method,
      url,
      headers: { host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      remoteAddress: '127.0.0.1',
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    })
    return { status: response.statusCode, body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined }
  }

  /** A refusal, in the api's own words (its envelope never carries a secret), as a startup error naming the entry. */
  function refused(at: string, what: string, answer: Answer): ConfigError {
    const error = answer.body?.error as { code?: string; message?: string; target?: string } | undefined
    const detail = error ? `${error.code}: ${error.message}${error.target ? ` (target ${error.target})` : ''}` : JSON.stringify(answer.body)
    return new ConfigError(`SEED_FILE=${seed.file}: ${at}: ${what} was refused with ${answer.status} ${detail}`)
  }

  async function seedCluster(cluster: SeedCluster): Promise<void> {
    const [, , , , , , provider = '', resourceType = ''] = cluster.id.resourceId.split('/')
    const apiVersion = findClusterParentType(provider, resourceType)!.registryApiVersions[0]!
    const url = `${cluster.id.resourceId}?api-version=${apiVersion}`
    const wanted = { location: cluster.location, tags: cluster.tags, properties: cluster.properties }
    const current = await send('GET', url)
    if (current.status === 200 && current.body) {
      const stored = current.body as { location: string; tags?: Record<string, string>; properties?: Record<string, unknown> }
      const properties = Object.fromEntries(Object.entries(stored.properties ?? {}).filter(([key]) => !SERVER_OWNED_CLUSTER_PROPERTIES.includes(key)))
      const wantedProperties = Object.fromEntries(Object.entries(wanted.properties).filter(([key]) => !SERVER_OWNED_CLUSTER_PROPERTIES.includes(key)))
      if (canonicalJson({ ...wanted, properties: wantedProperties }) === canonicalJson({ location: stored.location, tags: stored.tags ?? {}, properties })) {
        summary.clusters.unchanged++
        return
      }
    }
    const put = await send('PUT', url, wanted)
    if (put.status !== 200 && put.status !== 201) throw refused(cluster.at, 'registering the cluster', put)
    summary.clusters[put.status === 201 ? 'created' : 'updated']++
  }

  async function seedDriver(cluster: SeedCluster): Promise<void> {
    if (!cluster.driver) return
    const setting = { driver: cluster.driver.name, ...(cluster.driver.kubeconfig !== undefined ? { kubeconfig: cluster.driver.kubeconfig } : {}) }
    if (await clusterDriverIs(db, secrets, cluster.id.resourceId, setting)) {
      summary.drivers.unchanged++
      return
    }
    const put = await send('PUT', `/admin/clusters${cluster.id.resourceId}/driver`, setting)
    if (put.status !== 200) throw refused(`${cluster.at}.driver`, 'setting the driver', put)
    summary.drivers.updated++
  }

  async function seedFault(fault: SeedFault): Promise<void> {
    const url = `/admin/simulator/faults/${fault.id}`
    const current = await send('GET', url)
    if (current.status === 200 && current.body && sameRule(fault, current.body)) {
      summary.faults.unchanged++
      return
    }
    const put = await send('PUT', url, fault.body)
    if (put.status !== 200 && put.status !== 201) throw refused(fault.at, 'the fault rule', put)
    summary.faults[put.status === 201 ? 'created' : 'updated']++
  }

  /** Whether the stored extension already is what a PUT of `spec` would make it. */
  async function extensionUnchanged(resourceId: string, spec: SeedExtension): Promise<boolean> {
    const row = await findExtension(db, idKey(resourceId))
    if (!row) return false
    const stored = extensionDocument(row).spec
    const scope = scopeOf(spec.scope)
    const same =
      stored.extensionType.toLowerCase() === spec.extensionType.toLowerCase() &&
      stored.autoUpgradeMinorVersion === (spec.autoUpgradeMinorVersion ?? true) &&
      stored.releaseTrain.toLowerCase() === (spec.releaseTrain ?? 'Stable').toLowerCase() &&
      stored.version === (spec.version ?? null) &&
      // Without a scope the api records the one the extension is installed with; only a stated one can differ.
      (scope === null || canonicalJson(stored.scope) === canonicalJson(scope)) &&
      canonicalJson(stored.configurationSettings) === canonicalJson(spec.configurationSettings ?? {})
    if (!same || spec.configurationProtectedSettings === undefined) return same
    if (row.protectedSettingsSealed === null) return Object.keys(spec.configurationProtectedSettings).length === 0
    try {
      return canonicalJson(secrets.openJson(row.protectedSettingsSealed)) === canonicalJson(spec.configurationProtectedSettings)
    } catch {
      return false // no longer opens: writing it again is the way to a state that does
    }
  }

  async function seedExtension(cluster: SeedCluster, extension: SeedCluster['extensions'][number]): Promise<void> {
    const resourceId = `${cluster.id.resourceId}/providers/Microsoft.KubernetesConfiguration/extensions/${extension.name}`
    if (await extensionUnchanged(resourceId, extension.spec)) {
      summary.extensions.unchanged++
      return
    }
    const put = await send('PUT', `${resourceId}?api-version=${EXTENSION_API_VERSION}`, { properties: extension.spec })
    if (put.status !== 200 && put.status !== 201) throw refused(extension.at, 'the extension', put)
    summary.extensions[put.status === 201 ? 'created' : 'updated']++
  }

  // Clusters, then their drivers (before any extension operation, which would make a driver change wait), fault
  // rules (so they are in force for the first install), then extensions.
  return withSeedLock(config.databaseUrl, () =>
    asInProcessOperator(SEED_OPERATOR, async () => {
      for (const cluster of seed.clusters) await seedCluster(cluster)
      for (const cluster of seed.clusters) await seedDriver(cluster)
      for (const fault of seed.faults) await seedFault(fault)
      for (const cluster of seed.clusters) for (const extension of cluster.extensions) await seedExtension(cluster, extension)
      return summary
    }),
  )
}

/**
 * A stored rule is the seeded one when every setting matches; its call limit as first set is what is left plus
 * what was spent, so a rule that has fired keeps its count across restarts (as one added through the API does).
 */
function sameRule(fault: SeedFault, view: Record<string, unknown>): boolean {
  const { rule } = fault
  const remaining = view.remainingCalls as number | null
  const limit = remaining === null ? null : remaining + (view.injectedCalls as number)
  return (
    view.kind === rule.kind &&
    ((view.clusterId as string | null)?.toLowerCase() ?? null) === (rule.cluster?.idKey ?? null) &&
    view.extensionType === rule.extensionType &&
    canonicalJson(view.operations) === canonicalJson(ruleOperations(rule.kind, rule.operations)) &&
    (view.kind === 'latency' || view.transient === rule.transient) &&
    view.probability === rule.probability &&
    limit === rule.remainingCalls &&
    view.durationMs === rule.durationMs &&
    view.message === rule.message
  )
}
