// Microsoft.KubernetesConfiguration/extensions: validate → persist resource + operation → enqueue → answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CLUSTER_PARENT_TYPES, findClusterParentType } from '../../core/domain/cluster-types.js'
import { ConcurrentModificationError } from '../../core/domain/errors.js'
import { SecretUnavailableError } from '../../core/secrets.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { findCluster } from '../../core/store/clusters.js'
import { checkInstallable, defaultCatalog } from '../../core/catalog/index.js'
import { releaseNamespaceFor } from '../../core/domain/extension-release.js'
import { acceptExtensionChange, acceptExtensionCreate, acceptExtensionDelete, findExtension, installedOnCluster, type Accepted, type Extension } from '../../core/store/extensions.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import type { Cluster } from '../../core/store/clusters.js'
import { clusterFacts } from '../../core/domain/cluster-facts.js'
import { assertNoViolations } from '../arm/rule-violations.js'
import { setAsyncOperationHeaders } from '../arm/async-operation.js'
import { publicBaseUrl } from '../arm/base-url.js'
import { ArmErrors } from '../arm/errors.js'
import { assertPreconditions, setEtag } from '../arm/etag.js'
import { judgedAgainstLatest } from '../arm/lost-race.js'
import { idKey } from '../arm/resource-id.js'
import { SUPPORTED_EXTENSION_API_VERSIONS, extensionApiVersion } from '../versions/extension-api-versions.js'
import {
  EXTENSION_RESOURCE_TYPE,
  patchablePropertiesFor,
  extensionSpecFromPatch,
  extensionSpecFromPut,
  extensionToWire,
  immutablePatchTarget,
  mergeStringMap,
  type ExtensionPatchBody,
  type ExtensionPutBody,
} from '../versions/extension-convert.js'
import { extensionRouteSchemas } from './extension-route-schemas.js'
import { pageRequest, toPage } from '../arm/paging.js'
import { EXTENSION_PATH, EXTENSIONS_PATH, assertClusterParams, assertExtensionParams, clusterKey, requestResourceId, type ClusterParams, type ExtensionParams } from './paths.js'

const config = { arm: { resourceType: EXTENSION_RESOURCE_TYPE, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS } }

/** The parent must be a cluster type the request's api-version knows (its clusterRp/clusterResourceName enums). */
export function assertKnownParent(params: ClusterParams, apiVersion: string): void {
  const parents = extensionApiVersion(apiVersion).parents
  const pair = `${params.clusterRp}/${params.clusterResourceName}`
  if (!findClusterParentType(params.clusterRp, params.clusterResourceName) || !parents.includes(pair.toLowerCase())) {
    const supported = CLUSTER_PARENT_TYPES.filter((t) => parents.includes(`${t.provider}/${t.resourceType}`.toLowerCase())).map((t) => `${t.provider}/${t.resourceType}`)
    throw ArmErrors.invalidResourceType(`Extensions cannot be installed under '${pair}' at api-version ${apiVersion}. Supported parents: ${supported.join(', ')}.`)
  }
}

/** Body-only checks a schema cannot express (ARM-CONTRACT 25). */
function assertPutBodyConsistent(body: ExtensionPutBody, params: ExtensionParams, current: Extension | null): void {
  const named = (body as { name?: string }).name
  if (named !== undefined && named.toLowerCase() !== params.extensionName.toLowerCase()) {
    throw ArmErrors.invalidRequestContent(`The name '${named}' in the body does not match the extension name '${params.extensionName}' in the URL.`, 'name')
  }
  const requestedState = body.properties.provisioningState
  if (requestedState !== undefined && requestedState !== (current?.provisioningState ?? requestedState)) {
    throw ArmErrors.invalidRequestContent(`properties.provisioningState is read-only; it cannot be set to '${requestedState}'.`, 'properties.provisioningState')
  }
  const scope = body.properties.scope
  if (scope?.cluster && scope?.namespace) {
    throw ArmErrors.invalidRequestContent('properties.scope may name cluster or namespace, not both.', 'properties.scope')
  }
  if (!current && !body.properties.extensionType) {
    throw ArmErrors.invalidRequestContent("The property 'properties.extensionType' is required.", 'properties.extensionType')
  }
  if (current && body.properties.extensionType && body.properties.extensionType.toLowerCase() !== current.extensionType.toLowerCase()) {
    throw ArmErrors.invalidRequestContent(
      `properties.extensionType cannot be changed from '${current.extensionType}' to '${body.properties.extensionType}'; delete the extension and create a new one.`,
      'properties.extensionType',
    )
  }
}

/**
 * A cluster-scoped extension sent without a scope gets the one it will really be installed with, recorded at accept
 * time: responses then show it (as Azure's do), and a later catalog edit never moves an installed release.
 */
function withEffectiveScope(spec: ExtensionSpec, extensionName: string): ExtensionSpec {
  if (spec.scope) return spec
  const type = defaultCatalog().findType(spec.extensionType)
  if (!type || type.scope !== 'cluster') return spec // unknown or namespace-scoped: the catalog rules report it
  return { ...spec, scope: { kind: 'cluster', releaseNamespace: releaseNamespaceFor(spec, extensionName, type.defaultReleaseNamespace) } }
}

/** Every catalog rule, server-side, so raw PUTs get what the az CLI would have enforced. */
async function assertInstallable(app: FastifyInstance, spec: ExtensionSpec, cluster: Cluster, extensionName: string, clusterResourceName: string): Promise<void> {
  assertNoViolations(
    checkInstallable({
      extensionType: spec.extensionType,
      autoUpgradeMinorVersion: spec.autoUpgradeMinorVersion,
      releaseTrain: spec.releaseTrain,
      version: spec.version,
      scope: spec.scope,
      cluster: clusterFacts(cluster),
      installedTypes: await installedOnCluster(app.services.db, cluster.id),
      extensionName,
      clusterType: clusterResourceName,
    }),
  )
}

export async function extensionRoutes(app: FastifyInstance): Promise<void> {
  const { db, queue, secrets, config: appConfig } = app.services

  function answerAccepted(request: FastifyRequest, reply: FastifyReply, accepted: Accepted, status: number, timeout: 'PT48H' | 'PT1H') {
    setAsyncOperationHeaders(reply, {
      baseUrl: publicBaseUrl(request, appConfig),
      resourceId: accepted.extension.resourceId,
      operationId: accepted.operation.id,
      apiVersion: request.arm.apiVersion,
      retryAfterSeconds: appConfig.retryAfterSeconds,
      timeout,
    })
    setEtag(reply, accepted.extension.etag)
    return reply.code(status)
  }

  function enqueue(request: FastifyRequest, accepted: Accepted): Promise<void> {
    return deliverOrLeaveToOutbox(db, queue, [accepted.operation], request.log)
  }

  app.put<{ Params: ExtensionParams; Body: ExtensionPutBody }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.create }, async (request, reply) => {
    assertExtensionParams(request.params)
    assertKnownParent(request.params, request.arm.apiVersion)
    const resourceId = requestResourceId(request)
    const { accepted, created } = await judgedAgainstLatest(() => acceptPut(request, resourceId))
    await enqueue(request, accepted)
    return answerAccepted(request, reply, accepted, created ? 201 : 200, 'PT48H').send(extensionToWire(accepted.extension, extensionApiVersion(request.arm.apiVersion)))
  })

  /** Judges a PUT against the extension as it is now and accepts it as a create or an update. */
  async function acceptPut(request: FastifyRequest<{ Params: ExtensionParams; Body: ExtensionPutBody }>, resourceId: string): Promise<{ accepted: Accepted; created: boolean }> {
    const { params, body } = request
    const key = idKey(resourceId)
    const [cluster, current] = await Promise.all([findCluster(db, clusterKey(params)), findExtension(db, key)])
    if (!cluster) throw ArmErrors.parentResourceNotFound(resourceId.slice(0, resourceId.toLowerCase().indexOf('/providers/microsoft.kubernetesconfiguration')))
    assertPreconditions(request, current)
    assertPutBodyConsistent(body, params, current)
    const spec = withEffectiveScope(extensionSpecFromPut(body, (current?.spec as unknown as ExtensionSpec | undefined) ?? null), current?.name ?? params.extensionName)
    await assertInstallable(app, spec, cluster, current?.name ?? params.extensionName, params.clusterResourceName)
    const protectedSettings = body.properties.configurationProtectedSettings
    // Absent keeps the stored secrets: GET never returns them, so a GET-modify-PUT must not silently drop them.
    const protectedSettingsSealed = protectedSettings ? secrets.sealJson(protectedSettings) : protectedSettings === null ? null : undefined
    const caller = request.arm.caller
    const apiVersion = request.arm.apiVersion
    const correlationId = request.arm.correlationId
    const accepted = current
      ? await acceptExtensionChange(db, current, { kind: 'extension.update', spec, protectedSettingsSealed, caller, apiVersion, correlationId })
      : await acceptExtensionCreate(db, { resourceId, idKey: key, clusterId: cluster.id, name: params.extensionName, spec, protectedSettingsSealed, caller, apiVersion, correlationId })
    return { accepted, created: !current }
  }

  app.get<{ Params: ExtensionParams }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.get }, async (request, reply) => {
    assertExtensionParams(request.params)
    assertKnownParent(request.params, request.arm.apiVersion)
    const resourceId = requestResourceId(request)
    const extension = await findExtension(db, idKey(resourceId))
    if (!extension) throw ArmErrors.resourceNotFound(EXTENSION_RESOURCE_TYPE, resourceId)
    setEtag(reply, extension.etag)
    return extensionToWire(extension, extensionApiVersion(request.arm.apiVersion))
  })

  // A DELETE supersedes an install/update in flight (it ends Canceled, the delete runs after it stops); a DELETE
  // while a delete runs answers with that operation; forceDelete=true removes the resource even if the release
  // cannot be uninstalled (ARM-CONTRACT 31-33).
  app.delete<{ Params: ExtensionParams; Querystring: { forceDelete?: string } }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.delete }, async (request, reply) => {
    assertExtensionParams(request.params)
    assertKnownParent(request.params, request.arm.apiVersion)
    const accepted = await judgedAgainstLatest(async () => {
      const extension = await findExtension(db, idKey(requestResourceId(request)))
      if (!extension) return null
      assertPreconditions(request, extension)
      return acceptExtensionDelete(db, extension, {
        apiVersion: request.arm.apiVersion,
        correlationId: request.arm.correlationId,
        forceDelete: request.query.forceDelete?.toLowerCase() === 'true',
        expectedEtag: request.headers['if-match'] !== undefined && request.headers['if-match'] !== '*' ? extension.etag : undefined,
      })
    })
    if (!accepted) return reply.code(204).send()
    if (accepted.created) await enqueue(request, accepted)
    return answerAccepted(request, reply, accepted, 202, 'PT1H').send()
  })

  app.patch<{ Params: ExtensionParams; Body: ExtensionPatchBody }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.update }, async (request, reply) => {
    assertExtensionParams(request.params)
    assertKnownParent(request.params, request.arm.apiVersion)
    const version = extensionApiVersion(request.arm.apiVersion)
    const outcome = await judgedAgainstLatest(() => acceptPatch(request, version))
    if ('unchanged' in outcome) {
      setEtag(reply, outcome.unchanged.etag)
      return reply.code(200).send(extensionToWire(outcome.unchanged, version)) // ARM-CONTRACT 27: nothing to do
    }
    await enqueue(request, outcome.accepted)
    return answerAccepted(request, reply, outcome.accepted, 202, 'PT48H').send(extensionToWire(outcome.accepted.extension, version))
  })

  /** Merging a PATCH needs the stored secrets; one that cannot be opened is the service's fault, answered without any change. */
  function openStoredProtectedSettings(sealed: string, resourceId: string): Record<string, string> {
    try {
      return secrets.openJson<Record<string, string>>(sealed)
    } catch (error) {
      if (error instanceof SecretUnavailableError) {
        throw ArmErrors.encryptionKeyUnavailable(
          'stored configurationProtectedSettings of this extension',
          error.message,
          resourceId,
          'Sending the complete configurationProtectedSettings with PUT replaces the stored ones without decrypting them.',
        )
      }
      throw error
    }
  }

  /** Judges a PATCH against the extension as it is now: nothing to do, or an accepted update. */
  async function acceptPatch(
    request: FastifyRequest<{ Params: ExtensionParams; Body: ExtensionPatchBody }>,
    version: ReturnType<typeof extensionApiVersion>,
  ): Promise<{ unchanged: Extension } | { accepted: Accepted }> {
    const { params, body } = request
    const resourceId = requestResourceId(request)
    const current = await findExtension(db, idKey(resourceId))
    if (!current) throw ArmErrors.resourceNotFound(EXTENSION_RESOURCE_TYPE, resourceId) // ARM-CONTRACT 46: 404 whatever If-Match says
    assertPreconditions(request, current)
    const immutable = immutablePatchTarget(body as Record<string, unknown>, version)
    if (immutable) {
      throw ArmErrors.invalidRequestContent(
        `The property '${immutable}' cannot be changed with PATCH. Only ${patchablePropertiesFor(version).map((p) => `properties.${p}`).join(', ')} can be patched.`,
        immutable,
      )
    }
    const currentSpec = current.spec as unknown as ExtensionSpec
    const spec = extensionSpecFromPatch(currentSpec, body)
    const protectedPatch = body.properties?.configurationProtectedSettings
    let protectedSettingsSealed: string | null | undefined
    let protectedChanged = false
    if (protectedPatch !== undefined) {
      const before = current.protectedSettingsSealed ? openStoredProtectedSettings(current.protectedSettingsSealed, resourceId) : {}
      const after = mergeStringMap(before, protectedPatch)
      protectedChanged = JSON.stringify(Object.entries(before).sort()) !== JSON.stringify(Object.entries(after).sort())
      protectedSettingsSealed = Object.keys(after).length ? secrets.sealJson(after) : null
    }
    const unchanged = !protectedChanged && JSON.stringify(spec) === JSON.stringify(currentSpec)
    if (unchanged && version.noOpPatchStatus === 200 && current.provisioningState === 'Succeeded') return { unchanged: current }
    const cluster = await db.cluster.findUnique({ where: { id: current.clusterId } })
    if (!cluster) throw new ConcurrentModificationError(resourceId) // deleted with its cluster just now: judged again, a 404
    await assertInstallable(app, spec, cluster, current.name, params.clusterResourceName)
    const accepted = await acceptExtensionChange(db, current, {
      kind: 'extension.update',
      spec,
      ...(protectedChanged ? { protectedSettingsSealed } : {}),
      caller: request.arm.caller,
      apiVersion: request.arm.apiVersion,
      correlationId: request.arm.correlationId,
    })
    return { accepted }
  }

  app.get<{ Params: ClusterParams }>(EXTENSIONS_PATH, { config, schema: extensionRouteSchemas.list }, async (request) => {
    assertClusterParams(request.params)
    assertKnownParent(request.params, request.arm.apiVersion)
    const cluster = await findCluster(db, clusterKey(request.params))
    if (!cluster) throw ArmErrors.parentResourceNotFound(requestResourceId(request).replace(/\/providers\/microsoft\.kubernetesconfiguration\/extensions$/i, ''))
    const page = pageRequest(request)
    const rows = await db.extension.findMany({
      where: { clusterId: cluster.id, ...(page.after !== null ? { nameKey: { gt: page.after } } : {}) },
      orderBy: { nameKey: 'asc' },
      take: page.top + 1,
    })
    const version = extensionApiVersion(request.arm.apiVersion)
    return toPage(request, appConfig, page, rows, (row) => row.nameKey, (row) => extensionToWire(row, version))
  })
}
