// Microsoft.KubernetesConfiguration/extensionTypes: the catalog, read-only, as the upstream extensionTypes API
// shapes it, each api-version in its own shape (api/versions/extension-type-api-versions.ts): 2024-11-01-preview and
// 2023-05-01-preview follow their swaggers, with version resources and the clusterType/majorVersion/showLatest
// filters; 2022-01-15-preview its older, smaller one; 2023-05-01 (a leniency) its examples (spec/README.md §7: the
// swagger itself is ill-formed). At location level every catalog type is listed; at cluster level only what that cluster can run,
// judged by the same rules the extension PUT enforces (core/catalog/rules.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { clusterViolations, defaultCatalog, findReleaseTrain, requireSemver, runsOn, supportedVersions, type Catalog, type ExtensionTypeSpec, type ReleaseTrainSpec } from '../../core/catalog/index.js'
import { clusterFacts } from '../../core/domain/cluster-facts.js'
import { findClusterParentType } from '../../core/domain/cluster-types.js'
import type { ClusterFacts } from '../../core/domain/model.js'
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import { DEFAULT_RELEASE_TRAIN } from '../../core/catalog/rules.js'
import { findCluster } from '../../core/store/clusters.js'
import { ArmError, ArmErrors } from '../arm/errors.js'
import { pageRequest, toPage } from '../arm/paging.js'
import type { ArmResourceId } from '../arm/resource-path.js'
import { CLUSTER_PATH } from './paths.js'
import { extensionTypeResponses, settingsSchemaToWire } from './extension-type-schemas.js'
import { EXTENSION_TYPE_API_VERSIONS, FULL_EXTENSION_TYPE_API_VERSIONS, extensionTypeApiVersion, type ExtensionTypeApiVersion } from '../versions/extension-type-api-versions.js'
import { EXTENSION_TYPE_RESOURCE_TYPE, extensionTypeVersionToWire } from '../versions/extension-type-convert.js'

const config = { arm: { resourceType: EXTENSION_TYPE_RESOURCE_TYPE, apiVersions: EXTENSION_TYPE_API_VERSIONS } }
// Operations 2022-01-15-preview does not declare (location-level get, version resources, cluster-level version list).
const fullConfig = { arm: { resourceType: EXTENSION_TYPE_RESOURCE_TYPE, apiVersions: FULL_EXTENSION_TYPE_API_VERSIONS } }

const LOCATION_TYPES_PATH = '/subscriptions/:subscriptionId/providers/Microsoft.KubernetesConfiguration/locations/:location/extensionTypes'
const CLUSTER_TYPES_PATH = `${CLUSTER_PATH}/providers/Microsoft.KubernetesConfiguration/extensionTypes`
// The 2023-05-01 swagger spells this one path '/subcriptions/'; clients generated from it call that path.
const MISSPELT_LOCATION_VERSIONS_PATH = '/subcriptions/:subscriptionId/providers/Microsoft.KubernetesConfiguration/locations/:location/extensionTypes/:extensionTypeName/versions'

interface Params {
  extensionTypeName?: string
  versionNumber?: string
}

interface Query {
  'api-version': string
  releaseTrain?: string
  clusterType?: string
  majorVersion?: string
  showLatest?: 'true' | 'false'
  publisherId?: string
  offerId?: string
  planId?: string
  $top?: string
  $skipToken?: string
}

const querySchema = {
  type: 'object',
  properties: {
    'api-version': { type: 'string' },
    releaseTrain: { type: 'string', minLength: 1, maxLength: 64 },
    clusterType: { type: 'string', minLength: 1, maxLength: 64 },
    majorVersion: { type: 'string', pattern: '^[0-9]{1,9}$' },
    showLatest: { type: 'string', enum: ['true', 'false'] },
    publisherId: { type: 'string' },
    offerId: { type: 'string' },
    planId: { type: 'string' },
    $top: { type: 'string', pattern: '^[0-9]+$' },
    $skipToken: { type: 'string' },
  },
} as const

type Request = FastifyRequest<{ Params: Params; Querystring: Query }>

/** Where a request looks from: a location (the whole catalog) or a registered cluster (what it can run). */
interface View {
  /** The id of the extensionTypes collection, in the caller's casing. */
  collectionId: string
  cluster: { name: string; clusterType: string; facts: ClusterFacts } | null
}

/** `clusterType` filters come as resource names (connectedClusters) or, in the 2024-11-01-preview examples, singular. */
function isClusterType(filter: string, clusterType: string): boolean {
  const wanted = filter.trim().toLowerCase()
  const name = clusterType.toLowerCase()
  return wanted === name || `${wanted}s` === name
}

function notFound(id: string, message: string): ArmError {
  return new ArmError(ErrorCodes.ResourceNotFound, message, id)
}

async function resolveView(app: FastifyInstance, path: ArmResourceId): Promise<View> {
  const { cluster: addressed } = path
  if (!addressed) {
    return {
      collectionId: `/subscriptions/${path.subscriptionId}/providers/Microsoft.KubernetesConfiguration/locations/${path.location}/extensionTypes`,
      cluster: null,
    }
  }
  const parentType = findClusterParentType(addressed.provider, addressed.resourceType)
  if (!parentType) {
    throw ArmErrors.invalidResourceType(
      `Extension types cannot be listed under '${addressed.provider}/${addressed.resourceType}'. Supported parents: Microsoft.Kubernetes/connectedClusters, Microsoft.ContainerService/managedClusters, Microsoft.HybridContainerService/provisionedClusters.`,
    )
  }
  const cluster = await findCluster(app.services.db, addressed.key)
  if (!cluster) throw ArmErrors.parentResourceNotFound(addressed.id)
  return {
    collectionId: `${addressed.id}/providers/Microsoft.KubernetesConfiguration/extensionTypes`,
    cluster: { name: cluster.name, clusterType: parentType.resourceType, facts: clusterFacts(cluster) },
  }
}

/** The type, if it exists and the view can see it; otherwise a 404 that says which. */
function visibleType(catalog: Catalog, view: View, name: string): ExtensionTypeSpec {
  const id = `${view.collectionId}/${name}`
  const spec = catalog.findType(name)
  if (!spec) throw notFound(id, `Extension type '${name}' does not exist. Available extension types: ${catalog.typeNames().join(', ')}.`)
  if (view.cluster) {
    const reasons = clusterViolations(catalog, spec, view.cluster.facts, view.cluster.clusterType)
    if (reasons.length > 0) {
      throw notFound(id, `Extension type '${spec.type}' is not available for cluster '${view.cluster.name}': ${reasons.map((r) => r.message).join(' ')}`)
    }
  }
  return spec
}

function typesInView(catalog: Catalog, view: View): ExtensionTypeSpec[] {
  const { cluster } = view
  return cluster ? catalog.types.filter((spec) => clusterViolations(catalog, spec, cluster.facts, cluster.clusterType).length === 0) : [...catalog.types]
}

function typeMatches(spec: ExtensionTypeSpec, query: Query): boolean {
  // Marketplace filters: no catalog type is a marketplace offer (none has planInfo), so they match nothing.
  if (query.publisherId !== undefined || query.offerId !== undefined || query.planId !== undefined) return false
  if (query.releaseTrain !== undefined && !findReleaseTrain(spec, query.releaseTrain)) return false
  if (query.clusterType !== undefined && !spec.supportedClusterTypes.some((t) => isClusterType(query.clusterType as string, t))) return false
  return true
}

// ---- versions ----

/** The train's versions inside the support window that the view's cluster, if any, can run (a version's own constraints). */
function installableIn(view: View, spec: ExtensionTypeSpec, train: ReleaseTrainSpec): string[] {
  const { cluster } = view
  const versions = supportedVersions(spec, train)
  return cluster ? versions.filter((v) => runsOn(spec, train, v, cluster.facts)) : versions
}

/** Installable versions of one train (inside the support window) after the version filters, oldest first as upstream lists them. */
function trainVersions(spec: ExtensionTypeSpec, train: ReleaseTrainSpec, query: Query, view: View): string[] {
  let versions = installableIn(view, spec, train)
  if (query.majorVersion !== undefined) {
    const major = query.majorVersion.replace(/^0+(?=\d)/, '')
    versions = versions.filter((v) => requireSemver(v).major === major)
  }
  if (query.showLatest === 'true') versions = versions.slice(0, 1)
  return versions.reverse()
}

function trainsFor(spec: ExtensionTypeSpec, query: Query, apiVersion: ExtensionTypeApiVersion): ReleaseTrainSpec[] {
  const wanted = query.releaseTrain ?? (apiVersion.stableByDefault ? DEFAULT_RELEASE_TRAIN : undefined)
  if (wanted === undefined) return [...spec.releaseTrains]
  const train = findReleaseTrain(spec, wanted)
  return train ? [train] : []
}

function supportsClusterTypeFilter(spec: ExtensionTypeSpec, query: Query): boolean {
  return query.clusterType === undefined || spec.supportedClusterTypes.some((t) => isClusterType(query.clusterType as string, t))
}

export async function extensionTypeRoutes(app: FastifyInstance): Promise<void> {
  const catalog = () => defaultCatalog()

  const listTypes = async (request: Request) => {
    const view = await resolveView(app, request.arm.resourceId)
    const page = pageRequest(request)
    const rows = typesInView(catalog(), view)
      .filter((spec) => typeMatches(spec, request.query))
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
      .filter((spec) => page.after === null || spec.type > page.after)
      .slice(0, page.top + 1)
    return toPage(
      request,
      app.services.config,
      page,
      rows,
      (spec) => spec.type,
      (spec) => extensionTypeApiVersion(request.arm.apiVersion).typeToWire(spec, view.collectionId),
    )
  }

  const getType = async (request: Request) => {
    const view = await resolveView(app, request.arm.resourceId)
    return extensionTypeApiVersion(request.arm.apiVersion).typeToWire(visibleType(catalog(), view, request.params.extensionTypeName as string), view.collectionId)
  }

  const listVersions = async (request: Request) => {
    const view = await resolveView(app, request.arm.resourceId)
    const spec = visibleType(catalog(), view, request.params.extensionTypeName as string)
    const apiVersion = extensionTypeApiVersion(request.arm.apiVersion)
    const trains = supportsClusterTypeFilter(spec, request.query) ? trainsFor(spec, request.query, apiVersion) : []
    // Versions are few per type (and capped by the support window), so one page always holds them.
    const versions = trains.map((train) => ({ releaseTrain: train.name, versions: trainVersions(spec, train, request.query, view) }))
    return apiVersion.versionListToWire(spec, versions, view.collectionId)
  }

  /** The type and one of its installable versions, as the view sees them; a 404 that says why otherwise. */
  const typeVersion = async (request: Request): Promise<{ view: View; spec: ExtensionTypeSpec; version: string }> => {
    const view = await resolveView(app, request.arm.resourceId)
    const spec = visibleType(catalog(), view, request.params.extensionTypeName as string)
    const wanted = request.params.versionNumber as string
    const id = `${view.collectionId}/${spec.type}/versions/${wanted}`
    for (const train of spec.releaseTrains) {
      const match = installableIn(view, spec, train).find((v) => v === wanted)
      if (match) return { view, spec, version: match }
    }
    const known = spec.releaseTrains.some((train) => train.versions.some((v) => v.version === wanted))
    const supported = spec.releaseTrains.some((train) => supportedVersions(spec, train).includes(wanted))
    throw notFound(
      id,
      supported && view.cluster
        ? `Version '${wanted}' of extension type '${spec.type}' cannot run on cluster '${view.cluster.name}' (its Kubernetes version or architecture); list the versions to see which can.`
        : known
          ? `Version '${wanted}' of extension type '${spec.type}' is no longer supported; list the versions to see which are.`
          : `Version '${wanted}' of extension type '${spec.type}' does not exist.`,
    )
  }

  const getVersion = async (request: Request) => {
    const { view, spec, version } = await typeVersion(request)
    return extensionTypeVersionToWire(spec, view.collectionId, version)
  }

  // An arcext addition: the rules an extension PUT and PATCH enforce for the type, so clients can check offline.
  const getSettingsSchema = async (request: Request) => {
    const { view, spec, version } = await typeVersion(request)
    return settingsSchemaToWire(spec, `${view.collectionId}/${spec.type}/versions/${version}/settingsSchema`, version)
  }

  // Upstream operationIds (2024-11-01-preview), so the generated OpenAPI document names them as Azure does. `inLegacy`:
  // 2022-01-15-preview declares the operation too.
  type Options = { inLegacy?: boolean; hide?: boolean }
  const route = (path: string, operationId: string, summary: string, handler: (request: Request) => Promise<unknown>, response: Record<number, unknown>, options: Options = {}) =>
    app.get<{ Params: Params; Querystring: Query }>(
      path,
      { config: options.inLegacy ? config : fullConfig, schema: { querystring: querySchema, operationId, summary, tags: ['ExtensionTypes'], response, hide: options.hide ?? false } },
      handler,
    )
  const { type, typeList, version, versionList, settingsSchema } = extensionTypeResponses
  const inLegacy = { inLegacy: true }
  route(LOCATION_TYPES_PATH, 'ExtensionTypes_LocationList', 'List all Extension Types for the location.', listTypes, typeList, inLegacy)
  route(`${LOCATION_TYPES_PATH}/:extensionTypeName`, 'ExtensionTypes_LocationGet', 'Get an extension type for the location.', getType, type)
  route(`${LOCATION_TYPES_PATH}/:extensionTypeName/versions`, 'ExtensionTypes_ListVersions', 'List the versions for an extension type and location.', listVersions, versionList, inLegacy)
  route(`${LOCATION_TYPES_PATH}/:extensionTypeName/versions/:versionNumber`, 'ExtensionTypes_GetVersion', 'Get details of a version for an extension type and location.', getVersion, version)
  route(CLUSTER_TYPES_PATH, 'ExtensionTypes_List', 'List installable Extension Types for the cluster.', listTypes, typeList, inLegacy)
  route(`${CLUSTER_TYPES_PATH}/:extensionTypeName`, 'ExtensionTypes_Get', 'Get an Extension Type installable to the cluster.', getType, type, inLegacy)
  route(`${CLUSTER_TYPES_PATH}/:extensionTypeName/versions`, 'ExtensionTypes_ClusterListVersions', 'List the versions of an Extension Type installable to the cluster.', listVersions, versionList)
  route(
    `${CLUSTER_TYPES_PATH}/:extensionTypeName/versions/:versionNumber`,
    'ExtensionTypes_ClusterGetVersion',
    'Get details of a version of an Extension Type installable to the cluster.',
    getVersion,
    version,
  )
  const settingsSchemaSummary = 'The settings rules of a version of an extension type (JSON Schemas and forced values), as extension PUT and PATCH enforce them. An arcext extension.'
  route(`${LOCATION_TYPES_PATH}/:extensionTypeName/versions/:versionNumber/settingsSchema`, 'ExtensionTypes_GetSettingsSchema', settingsSchemaSummary, getSettingsSchema, settingsSchema)
  route(`${CLUSTER_TYPES_PATH}/:extensionTypeName/versions/:versionNumber/settingsSchema`, 'ExtensionTypes_ClusterGetSettingsSchema', settingsSchemaSummary, getSettingsSchema, settingsSchema)
  route(MISSPELT_LOCATION_VERSIONS_PATH, 'ExtensionTypes_ListVersionsMisspeltPath', 'Alias of ExtensionTypes_ListVersions at the path the 2023-05-01 swagger misspells.', listVersions, versionList, {
    hide: true,
  })
}
