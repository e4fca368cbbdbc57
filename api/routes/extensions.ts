// Microsoft.KubernetesConfiguration/extensions: validate → persist resource + operation → enqueue → answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CLUSTER_PARENT_TYPES, findClusterParentType } from '../../core/domain/cluster-types.js'
import { ConcurrentModificationError } from '../../core/domain/errors.js'
import { SecretUnavailableError } from '../../core/secrets.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { findCluster, findClusterById } from '../../core/store/clusters.js'
import { checkInstallable, defaultCatalog } from '../../core/catalog/index.js'
import { releaseNamespaceFor } from '../../core/domain/extension-release.js'
import {
  acceptExtensionChange,
  acceptExtensionDelete,
  acceptExtensionForceDelete,
  acceptExtensionPut,
  extensionDocument,
  findExtension,
  listExtensions,
  type Accepted,
  type Extension,
  type InstalledExtension,
  type PutDecision,
  type ReleaseLocation,
} from '../../core/store/extensions.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import type { Cluster } from '../../core/store/clusters.js'
import { clusterFacts } from '../../core/domain/cluster-facts.js'
import { assertNoViolations } from '../arm/rule-violations.js'
import { announceOperation } from '../arm/async-operation.js'
import { publicBaseUrl } from '../arm/base-url.js'
import { ArmErrors } from '../arm/errors.js'
import { assertPreconditions, setEtag } from '../arm/etag.js'
import { judgedAgainstLatest } from '../arm/lost-race.js'
import { addressedCluster, addressedExtension, type AddressedCluster } from '../arm/resource-path.js'
import { SUPPORTED_EXTENSION_API_VERSIONS, extensionApiVersion } from '../versions/extension-api-versions.js'
import {
  EXTENSION_RESOURCE_TYPE,
  patchablePropertiesFor,
  extensionSpecFromPatch,
  extensionSpecFromPut,
  extensionToWire,
  immutablePatchTarget,
  laterVersionPutTarget,
  type ExtensionPatchBody,
  type ExtensionPutBody,
} from '../versions/extension-convert.js'
import { callerTenant } from '../auth/caller-tenant.js'
import { assertIdentityConsistent } from '../versions/extension-identity.js'
import { extensionRouteSchemas } from './extension-route-schemas.js'
import { pageRequest, toPage } from '../arm/paging.js'
import { EXTENSION_PATH, EXTENSIONS_PATH } from './paths.js'

const config = { arm: { resourceType: EXTENSION_RESOURCE_TYPE, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS } }

/** The parent must be a cluster type the request's api-version knows (its clusterRp/clusterResourceName enums). */
function assertKnownParent(parent: AddressedCluster, apiVersion: string): void {
  const parents = extensionApiVersion(apiVersion).parents
  const pair = `${parent.provider}/${parent.resourceType}`
  if (!findClusterParentType(parent.provider, parent.resourceType) || !parents.includes(pair.toLowerCase())) {
    const supported = CLUSTER_PARENT_TYPES.filter((t) => parents.includes(`${t.provider}/${t.resourceType}`.toLowerCase())).map((t) => `${t.provider}/${t.resourceType}`)
    throw ArmErrors.invalidResourceType(`Extensions cannot be installed under '${pair}' at api-version ${apiVersion}. Supported parents: ${supported.join(', ')}.`)
  }
}

/** The cluster the path names, if its type is one the request's api-version knows. */
function knownParent(request: FastifyRequest): AddressedCluster {
  const parent = addressedCluster(request)
  assertKnownParent(parent, request.arm.apiVersion)
  return parent
}

/** A field or value only later api-versions define is refused rather than stored unseen (docs/arm-rules.md rule 59). */
function assertFitsVersion(body: ExtensionPutBody, apiVersion: string): void {
  const version = extensionApiVersion(apiVersion)
  const later = laterVersionPutTarget(body, version)
  if (later?.endsWith('.type')) {
    throw ArmErrors.invalidRequestContent(`The value of '${later}' is not allowed at api-version ${apiVersion}; it was added in 2025-03-01.`, later)
  }
  if (later) throw ArmErrors.invalidRequestContent(`The property '${later}' does not exist at api-version ${apiVersion}; it was added in 2025-03-01.`, later)
  if (body.managedBy !== undefined) {
    throw ArmErrors.invalidRequestContent('managedBy is set by the service that manages an extension; users cannot send it.', 'managedBy')
  }
  assertIdentityConsistent(body.identity)
}

/** Where a force-deleted extension's release is, for its cleanup; the namespace is left to the driver if the type left the catalog. */
function releaseLocation(extension: Extension): ReleaseLocation {
  const spec = extensionDocument(extension).spec
  const type = defaultCatalog().findType(spec.extensionType)
  try {
    return type ? { releaseName: extension.name, releaseNamespace: releaseNamespaceFor(spec, extension.name, type.defaultReleaseNamespace) } : { releaseName: extension.name }
  } catch {
    return { releaseName: extension.name }
  }
}

/** Users may only read an extension another resource manages (docs/arm-rules.md rule 60). */
function assertNotManaged(current: Extension | null): void {
  const managedBy = current ? extensionDocument(current).spec.managedBy : null
  if (current && managedBy) throw ArmErrors.managedExtension(current.name, managedBy)
}

/** Body-only checks a schema cannot express (docs/arm-rules.md rule 25). */
function assertPutBodyConsistent(body: ExtensionPutBody, extensionName: string, current: Extension | null): void {
  const named = (body as { name?: string }).name
  if (named !== undefined && named.toLowerCase() !== extensionName.toLowerCase()) {
    throw ArmErrors.invalidRequestContent(`The name '${named}' in the body does not match the extension name '${extensionName}' in the URL.`, 'name')
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

/**
 * Every catalog rule, server-side, so raw PUTs get what the az CLI would have enforced; `installed` are the
 * extensions on the cluster, for the rules on which types may share it.
 */
function assertInstallable(
  spec: ExtensionSpec,
  protectedSettings: Readonly<Record<string, string>> | null,
  cluster: Cluster,
  extensionName: string,
  clusterResourceName: string,
  installed: InstalledExtension[],
  installedVersion: string | null = null,
): void {
  assertNoViolations(
    checkInstallable({
      extensionType: spec.extensionType,
      autoUpgradeMinorVersion: spec.autoUpgradeMinorVersion,
      releaseTrain: spec.releaseTrain,
      version: spec.version,
      scope: spec.scope,
      cluster: clusterFacts(cluster),
      installedTypes: installed,
      extensionName,
      clusterType: clusterResourceName,
      plan: spec.plan,
      installedVersion,
      configurationSettings: spec.configurationSettings,
      protectedSettings,
    }),
  )
}

export async function extensionRoutes(app: FastifyInstance): Promise<void> {
  const { db, queue, secrets, config: appConfig } = app.services

  function answerAccepted(request: FastifyRequest, reply: FastifyReply, accepted: Accepted, status: number, timeout: 'PT48H' | 'PT1H') {
    announceOperation(reply, {
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

  app.put<{ Body: ExtensionPutBody }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.create }, async (request, reply) => {
    const parent = knownParent(request)
    assertFitsVersion(request.body, request.arm.apiVersion)
    const { created, ...accepted } = await judgedAgainstLatest(() => acceptPut(request, parent))
    await enqueue(request, accepted)
    return answerAccepted(request, reply, accepted, created ? 201 : 200, 'PT48H').send(extensionToWire(accepted.extension, extensionApiVersion(request.arm.apiVersion)))
  })

  /** Judges a PUT against the extension as it is now and accepts it as a create or an update. */
  function acceptPut(request: FastifyRequest<{ Body: ExtensionPutBody }>, parent: AddressedCluster): Promise<Accepted & { created: boolean }> {
    const { body } = request
    const addressed = addressedExtension(request)
    const target = { clusterIdKey: parent.key, extensionIdKey: addressed.key }
    return acceptExtensionPut(db, target, (cluster, current): PutDecision => {
      if (!cluster) throw ArmErrors.parentResourceNotFound(parent.id)
      assertPreconditions(request, current)
      assertNotManaged(current)
      assertPutBodyConsistent(body, addressed.name, current)
      const name = current?.name ?? addressed.name
      const spec = withEffectiveScope(extensionSpecFromPut(body, current ? extensionDocument(current).spec : null, callerTenant(request, appConfig), extensionApiVersion(request.arm.apiVersion)), name)
      const protectedSettings = body.properties.configurationProtectedSettings
      // Absent keeps the stored secrets: GET never returns them, so a GET-modify-PUT must not silently drop them.
      const protectedSettingsSealed = protectedSettings ? secrets.sealJson(protectedSettings) : protectedSettings === null ? null : undefined
      const { caller, apiVersion, correlationId } = request.arm
      // Judged inside the transaction that holds the cluster lock; a create's lock serialises creates on the cluster (core/store/extensions.ts).
      const inForce = protectedSettingsInForce(spec.extensionType, protectedSettings, current?.protectedSettingsSealed ?? null)
      const admit = (installed: InstalledExtension[]) => assertInstallable(spec, inForce, cluster, name, parent.resourceType, installed, current?.currentVersion ?? null)
      if (current) return { change: { kind: 'extension.update', spec, protectedSettingsSealed, caller, apiVersion, correlationId, admit } }
      return { create: { resourceId: addressed.id, idKey: addressed.key, clusterId: cluster.id, name, spec, protectedSettingsSealed, caller, apiVersion, correlationId, admit } }
    })
  }

  app.get(EXTENSION_PATH, { config, schema: extensionRouteSchemas.get }, async (request, reply) => {
    knownParent(request)
    const addressed = addressedExtension(request)
    const extension = await findExtension(db, addressed.key)
    if (!extension) throw ArmErrors.resourceNotFound(EXTENSION_RESOURCE_TYPE, addressed.id)
    setEtag(reply, extension.etag)
    return extensionToWire(extension, extensionApiVersion(request.arm.apiVersion))
  })

  // A DELETE supersedes an install/update in flight (it ends Canceled, the delete runs after it stops); a DELETE
  // while a delete runs answers with that operation (docs/arm-rules.md rules 31-32). forceDelete=true answers as Azure
  // does, 200 with the resource gone at once, and leaves the uninstall to a background cleanup (rule 33).
  app.delete<{ Querystring: { forceDelete?: string } }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.delete }, async (request, reply) => {
    knownParent(request)
    const forceDelete = request.query.forceDelete?.toLowerCase() === 'true'
    const accepted = await judgedAgainstLatest(async () => {
      const extension = await findExtension(db, addressedExtension(request).key)
      if (!extension) return null
      assertPreconditions(request, extension)
      assertNotManaged(extension)
      const deleteRequest = {
        apiVersion: request.arm.apiVersion,
        correlationId: request.arm.correlationId,
        forceDelete,
        expectedEtag: request.headers['if-match'] !== undefined && request.headers['if-match'] !== '*' ? extension.etag : undefined,
      }
      if (forceDelete) {
        const forced = await acceptExtensionForceDelete(db, extension, { ...deleteRequest, release: releaseLocation })
        return forced && { forced }
      }
      return acceptExtensionDelete(db, extension, deleteRequest)
    })
    if (!accepted) return reply.code(204).send()
    if ('forced' in accepted) {
      await deliverOrLeaveToOutbox(db, queue, [accepted.forced.operation], request.log)
      return reply.code(200).send()
    }
    if (accepted.created) await enqueue(request, accepted)
    return answerAccepted(request, reply, accepted, 202, 'PT1H').send()
  })

  app.patch<{ Body: ExtensionPatchBody }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.update }, async (request, reply) => {
    const parent = knownParent(request)
    const version = extensionApiVersion(request.arm.apiVersion)
    const outcome = await judgedAgainstLatest(() => acceptPatch(request, parent, version))
    if ('unchanged' in outcome) {
      setEtag(reply, outcome.unchanged.etag)
      return reply.code(200).send(extensionToWire(outcome.unchanged, version)) // docs/arm-rules.md rule 27: nothing to do
    }
    await enqueue(request, outcome.accepted)
    return answerAccepted(request, reply, outcome.accepted, 202, 'PT48H').send(extensionToWire(outcome.accepted.extension, version))
  })

  /**
   * Whether the stored secrets already are `settings` (then the PATCH may be a no-op). Secrets this service can no
   * longer open count as different: a replacement never needs the old ones, so it is accepted either way.
   */
  function sameProtectedSettings(sealed: string | null, settings: Record<string, string>): boolean {
    if (sealed === null) return Object.keys(settings).length === 0
    try {
      const stored = secrets.openJson<Record<string, string>>(sealed)
      return JSON.stringify(Object.entries(stored).sort()) === JSON.stringify(Object.entries(settings).sort())
    } catch (error) {
      if (error instanceof SecretUnavailableError) return false
      throw error
    }
  }

  /**
   * The protected settings the request leaves in force, for the settings rules: those it sends, else the stored ones.
   * Opened only for a type with settings rules (it costs a decryption); null when they cannot be opened, which skips
   * the rules that need them rather than refusing a change that does not touch them.
   */
  function protectedSettingsInForce(extensionType: string, sent: Record<string, string> | null | undefined, storedSealed: string | null): Record<string, string> | null {
    if (sent !== undefined) return sent ?? {}
    if (!defaultCatalog().findType(extensionType)?.settingsRules || storedSealed === null) return {}
    try {
      return secrets.openJson<Record<string, string>>(storedSealed)
    } catch (error) {
      if (error instanceof SecretUnavailableError) return null
      throw error
    }
  }

  /** The protected settings a PATCH leaves: exactly the map it sends, without its null values. */
  function replacedProtectedSettings(patch: Record<string, string | null> | null): Record<string, string> {
    return Object.fromEntries(Object.entries(patch ?? {}).filter((entry): entry is [string, string] => entry[1] !== null))
  }

  /** Judges a PATCH against the extension as it is now: nothing to do, or an accepted update. */
  async function acceptPatch(
    request: FastifyRequest<{ Body: ExtensionPatchBody }>,
    parent: AddressedCluster,
    version: ReturnType<typeof extensionApiVersion>,
  ): Promise<{ unchanged: Extension } | { accepted: Accepted }> {
    const { body } = request
    const { id: resourceId, key } = addressedExtension(request)
    const current = await findExtension(db, key)
    if (!current) throw ArmErrors.resourceNotFound(EXTENSION_RESOURCE_TYPE, resourceId) // docs/arm-rules.md rule 46: 404 whatever If-Match says
    assertPreconditions(request, current)
    assertNotManaged(current)
    const immutable = immutablePatchTarget(body as Record<string, unknown>, version)
    if (immutable) {
      throw ArmErrors.invalidRequestContent(
        `The property '${immutable}' cannot be changed with PATCH. Only ${patchablePropertiesFor(version)
          .map((p) => `properties.${p}`)
          .join(', ')} can be patched.`,
        immutable,
      )
    }
    const currentSpec = extensionDocument(current).spec
    const spec = extensionSpecFromPatch(currentSpec, body, callerTenant(request, appConfig))
    const protectedPatch = body.properties?.configurationProtectedSettings
    let protectedSettingsSealed: string | null | undefined
    let protectedChanged = false
    let protectedAfter: Record<string, string> | undefined
    if (protectedPatch !== undefined) {
      // Azure replaces the whole map: "if any are omitted, those settings will be considered obsolete and deleted".
      // A null value names a key to leave out, as in a merge patch; null for the map removes them all.
      const after = replacedProtectedSettings(protectedPatch)
      protectedAfter = after
      protectedChanged = !sameProtectedSettings(current.protectedSettingsSealed, after)
      protectedSettingsSealed = Object.keys(after).length ? secrets.sealJson(after) : null
    }
    const unchanged = !protectedChanged && JSON.stringify(spec) === JSON.stringify(currentSpec)
    if (unchanged && version.noOpPatchStatus === 200 && current.provisioningState === 'Succeeded') return { unchanged: current }
    const cluster = await findClusterById(db, current.clusterId)
    if (!cluster) throw new ConcurrentModificationError(resourceId) // deleted with its cluster just now: judged again, a 404
    const inForce = protectedSettingsInForce(spec.extensionType, protectedAfter, current.protectedSettingsSealed)
    const accepted = await acceptExtensionChange(db, current, {
      kind: 'extension.update',
      spec,
      ...(protectedChanged ? { protectedSettingsSealed } : {}),
      caller: request.arm.caller,
      apiVersion: request.arm.apiVersion,
      correlationId: request.arm.correlationId,
      admit: (installed) => assertInstallable(spec, inForce, cluster, current.name, parent.resourceType, installed, current.currentVersion),
    })
    return { accepted }
  }

  app.get(EXTENSIONS_PATH, { config, schema: extensionRouteSchemas.list }, async (request) => {
    const parent = knownParent(request)
    const cluster = await findCluster(db, parent.key)
    if (!cluster) throw ArmErrors.parentResourceNotFound(parent.id)
    const page = pageRequest(request)
    const rows = await listExtensions(db, cluster.id, { after: page.after, take: page.top + 1 })
    const version = extensionApiVersion(request.arm.apiVersion)
    return toPage(
      request,
      appConfig,
      page,
      rows,
      (row) => row.nameKey,
      (row) => extensionToWire(row, version),
    )
  })
}
