// Microsoft.KubernetesConfiguration/extensions: validate → persist resource + operation → enqueue → answer.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { defaultCatalog } from '../../core/catalog/index.js'
import { CLUSTER_PARENT_TYPES, findClusterParentType } from '../../core/domain/cluster-types.js'
import { releaseNamespaceFor } from '../../core/domain/extension-release.js'
import { ConcurrentModificationError } from '../../core/domain/errors.js'
import { findCluster, findClusterById } from '../../core/store/clusters.js'
import {
  acceptExtensionChange,
  acceptExtensionDelete,
  acceptExtensionForceDelete,
  acceptExtensionPut,
  extensionDocument,
  findCoexistingExtensions,
  findExtension,
  listExtensions,
  type Accepted,
  type Extension,
  type InstalledExtension,
  type PutDecision,
  type ReleaseLocation,
} from '../../core/store/extensions.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import { assertNoViolations } from '../arm/rule-violations.js'
import { answerAccepted } from '../arm/accepted-answer.js'
import { ArmErrors } from '../arm/errors.js'
import { assertPreconditions, setEtag } from '../arm/etag.js'
import { judgedAgainstLatest } from '../arm/lost-race.js'
import { addressedCluster, addressedExtension, type AddressedCluster } from '../arm/resource-path.js'
import { SUPPORTED_EXTENSION_API_VERSIONS, extensionApiVersion } from '../versions/extension-api-versions.js'
import { EXTENSION_RESOURCE_TYPE, type ExtensionPatchBody, type ExtensionPutBody } from '../versions/extension-convert.js'
import type { ExtensionVersion } from '../versions/extension-version.js'
import { callerTenant } from '../auth/caller-tenant.js'
import { extensionRouteSchemas } from './extension-route-schemas.js'
import { ExtensionPlanner, assertNotManaged, recordOmitted, type ExtensionPlan } from './extension-plan.js'
import { predict, storedAfter, whatIfRefused } from './extension-what-if.js'
import { toArmError } from '../arm/error-envelope.js'
import { SCHEMA_IDS, ref } from '../versions/extension-schemas.js'
import { pageRequest, toPage } from '../arm/paging.js'
import { EXTENSION_PATH, EXTENSIONS_PATH } from './paths.js'

const config = { arm: { resourceType: EXTENSION_RESOURCE_TYPE, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS } }
// What-if validates its body with the PUT's or the PATCH's schema; one object each, so Fastify compiles each once.
const PUT_BODY = ref(SCHEMA_IDS.extension)
const PATCH_BODY = ref(SCHEMA_IDS.patchExtension)

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

export async function extensionRoutes(app: FastifyInstance): Promise<void> {
  const { db, queue, secrets, config: appConfig } = app.services
  const planner = new ExtensionPlanner(secrets)

  function enqueue(request: FastifyRequest, accepted: Accepted): Promise<void> {
    return deliverOrLeaveToOutbox(db, queue, [accepted.operation], request.log)
  }

  // Before validation fills in the swagger's defaults: the catalog's own defaults apply to what was really left out.
  const preValidation = async (request: FastifyRequest) => recordOmitted(request.body)
  app.put<{ Body: ExtensionPutBody }>(EXTENSION_PATH, { config, schema: extensionRouteSchemas.create, preValidation }, async (request, reply) => {
    const parent = knownParent(request)
    const version = extensionApiVersion(request.arm.apiVersion)
    version.checkPut(request.body)
    const { created, ...accepted } = await judgedAgainstLatest(() => acceptPut(request, parent, version))
    await enqueue(request, accepted)
    return answerAccepted(request, reply, accepted, created ? 201 : 200, 'PT48H').send(version.toWire(accepted.extension))
  })

  /** Judges a PUT against the extension as it is now and accepts it as a create or an update. */
  function acceptPut(request: FastifyRequest<{ Body: ExtensionPutBody }>, parent: AddressedCluster, version: ExtensionVersion): Promise<Accepted & { created: boolean }> {
    const { body } = request
    const addressed = addressedExtension(request)
    const target = { clusterIdKey: parent.key, extensionIdKey: addressed.key }
    return acceptExtensionPut(db, target, (cluster, current): PutDecision => {
      if (!cluster) throw ArmErrors.parentResourceNotFound(parent.id)
      assertPreconditions(request, current)
      const { name, spec, protectedSettingsSealed, violations } = planner.planPut(body, addressed.name, current, callerTenant(request, appConfig), version)
      const { caller, apiVersion, correlationId } = request.arm
      // Judges the coexisting extensions as read under the cluster lock, which serialises creates on the cluster (core/store/extensions.ts).
      const admit = (installed: InstalledExtension[]) => assertNoViolations(violations(cluster, parent.resourceType, installed))
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
    return extensionApiVersion(request.arm.apiVersion).toWire(extension)
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
      return reply.code(200).send(version.toWire(outcome.unchanged)) // docs/arm-rules.md rule 27: nothing to do
    }
    await enqueue(request, outcome.accepted)
    return answerAccepted(request, reply, outcome.accepted, 202, 'PT48H').send(version.toWire(outcome.accepted.extension))
  })

  /** Judges a PATCH against the extension as it is now: nothing to do, or an accepted update. */
  async function acceptPatch(request: FastifyRequest<{ Body: ExtensionPatchBody }>, parent: AddressedCluster, version: ExtensionVersion): Promise<{ unchanged: Extension } | { accepted: Accepted }> {
    const { body } = request
    const { id: resourceId, key } = addressedExtension(request)
    const current = await findExtension(db, key)
    if (!current) throw ArmErrors.resourceNotFound(EXTENSION_RESOURCE_TYPE, resourceId) // docs/arm-rules.md rule 46: 404 whatever If-Match says
    assertPreconditions(request, current)
    const plan = planner.planPatch(body, current, version, callerTenant(request, appConfig))
    if (plan.unchanged && version.noOpPatchStatus === 200 && current.provisioningState === 'Succeeded') return { unchanged: current }
    const cluster = await findClusterById(db, current.clusterId)
    if (!cluster) throw new ConcurrentModificationError(resourceId) // deleted with its cluster just now: judged again, a 404
    const accepted = await acceptExtensionChange(db, current, {
      kind: 'extension.update',
      spec: plan.spec,
      ...(plan.protectedSettingsSealed !== undefined ? { protectedSettingsSealed: plan.protectedSettingsSealed } : {}),
      caller: request.arm.caller,
      apiVersion: request.arm.apiVersion,
      correlationId: request.arm.correlationId,
      admit: (installed) => assertNoViolations(plan.violations(cluster, parent.resourceType, installed)),
    })
    return { accepted }
  }

  // A preview through the same planners as PUT and PATCH; it only reads (docs/what-if.md).
  app.post<{ Body: unknown; Querystring: { method?: string } }>(`${EXTENSION_PATH}/whatIf`, { config, schema: extensionRouteSchemas.whatIf }, async (request) => {
    const parent = knownParent(request)
    const version = extensionApiVersion(request.arm.apiVersion)
    const method = request.query.method?.toUpperCase() === 'PATCH' ? 'PATCH' : 'PUT'
    const addressed = addressedExtension(request)
    const cluster = await findCluster(db, parent.key)
    if (!cluster) throw ArmErrors.parentResourceNotFound(parent.id)
    const current = await findExtension(db, addressed.key)
    if (method === 'PATCH' && !current) throw ArmErrors.resourceNotFound(EXTENSION_RESOURCE_TYPE, addressed.id)
    const refused = (error: unknown) => {
      const armError = toArmError(error)
      if (!armError) throw error
      return whatIfRefused(method, current, armError)
    }
    recordOmitted(request.body)
    const valid = request.compileValidationSchema(method === 'PATCH' ? PATCH_BODY : PUT_BODY)
    if (!valid(request.body)) return refused(Object.assign(new Error('invalid body'), { validation: valid.errors, validationContext: 'body' }))
    let plan: ExtensionPlan
    try {
      assertPreconditions(request, current)
      if (method === 'PATCH') plan = planner.planPatch(request.body as ExtensionPatchBody, current as Extension, version, callerTenant(request, appConfig))
      else {
        version.checkPut(request.body as ExtensionPutBody)
        plan = planner.planPut(request.body as ExtensionPutBody, addressed.name, current, callerTenant(request, appConfig), version)
      }
    } catch (error) {
      return refused(error)
    }
    const noOp = method === 'PATCH' && plan.unchanged && version.noOpPatchStatus === 200 && current?.provisioningState === 'Succeeded'
    const installed = noOp ? [] : await findCoexistingExtensions(db, cluster.id, plan.spec.extensionType, plan.name)
    const storedProtected = current ? planner.storedProtectedSettings(current.protectedSettingsSealed) : {}
    const prediction = predict({ method, current, cluster, clusterType: parent.resourceType, plan, noOp, installed, storedProtected })
    const resource = prediction.accepted ? storedAfter({ current, plan, noOp, cluster, resourceId: addressed.id, idKey: addressed.key, caller: request.arm.caller }) : null
    return { ...prediction, resource: resource && version.toWire(resource) }
  })

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
      (row) => version.toWire(row),
    )
  })
}
