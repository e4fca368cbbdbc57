// Operator endpoints outside ARM's resource model (no api-version): the simulated driver's fault-injection rules
// and installed releases (which operators may tamper with, to rehearse drift), which driver serves a cluster, operations
// with their timelines (admin-operations.ts), the retry of a failed one (operation-retry.ts) and the queue UI
// (queue-board.ts).
// Errors use the same ARM envelope as everything else.
// Who may call them is declared per route (`config.access`, enforced by api/auth/authorization.ts): Owner in
// AUTH_MODE=jwt (over a scope containing the cluster a request names, else at "/"), loopback peers in dev mode.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { RouteAccess } from '../auth/route-access.js'
import { defaultCatalog } from '../../core/catalog/index.js'
import { CLUSTER_DRIVERS, InvalidClusterDriverSetting, getClusterDriver, setClusterDriver, type ClusterDriverName } from '../../core/store/cluster-driver.js'
import { parseClusterResourceId, type ClusterResourceId } from '../../core/store/cluster-resource-id.js'
import { FAULT_ID_RULE, faultRuleBodySchema, isFaultId, readFaultRule, type FaultRuleSpec } from '../../core/simulator/fault-rule.js'
import { createFault, deleteFault, faultToView, findFault, listFaults, newFaultId, putFault } from '../../core/simulator/faults.js'
import { listSimulatedReleases } from '../../core/simulator/releases.js'
import { resetSimulator } from '../../core/simulator/reset.js'
import { ArmErrors } from '../arm/errors.js'
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import { tamperSimulatedRelease, type ReleaseTamper } from '../../core/simulator/releases.js'
import type { ThrottleReset } from '../arm/throttling.js'
import { deleteEverything } from '../../core/store/reset.js'
import { assertNotCrossSite } from '../arm/cross-site.js'
import { operationHistoryRoutes } from './admin-operations.js'
import { queueBoardRoutes } from './queue-board.js'
import { operationRetryRoutes } from './operation-retry.js'
import { managedByRoutes } from './admin-managed-by.js'

const FAULTS_PATH = '/admin/simulator/faults'
// Operator endpoints are not part of the ARM surface the OpenAPI document describes.
const HIDDEN = { hide: true }
const FAULT_TYPE = 'simulator fault'

/** The cluster a request names in its query, body or path, as the handler reads it; none means fleet-wide. */
const stringField = (source: unknown, field: string): string | undefined => {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[field] : undefined
  return typeof value === 'string' && value !== '' ? value : undefined
}
const FLEET_WIDE: RouteAccess = { kind: 'operator' }
const CLUSTER_IN_QUERY: RouteAccess = { kind: 'operator', cluster: (request) => stringField(request.query, 'clusterId') }
const CLUSTER_IN_BODY: RouteAccess = { kind: 'operator', cluster: (request) => stringField(request.body, 'clusterId') }
const CLUSTER_IN_PATH: RouteAccess = { kind: 'operator', cluster: (request) => driverClusterId(request as FastifyRequest<{ Params: { '*': string } }>) }

// The body schema's verdict is attached, not thrown: readFaultRule words the same schema's errors the way fault rules
// are worded everywhere, together with what a schema cannot check (the catalog, the cluster id, kind-bound fields),
// so a caller sees every problem in one answer.
const FAULT_RULE_ROUTE = { schema: { hide: true, body: faultRuleBodySchema }, attachValidation: true } as const

function faultRuleFrom(body: unknown): FaultRuleSpec {
  const result = readFaultRule(body, { isKnownExtensionType: (type) => defaultCatalog().findType(type) !== undefined })
  if (result.ok) return result.rule
  const [first] = result.problems
  throw ArmErrors.invalidRequestContent(
    first?.message ?? 'The fault rule is invalid.',
    first?.target,
    result.problems.length > 1 ? result.problems.map((p) => ({ code: ErrorCodes.InvalidRequestContent, message: p.message, target: p.target })) : undefined,
  )
}

function faultIdFrom(id: string): string {
  if (!isFaultId(id)) throw ArmErrors.invalidResourceName('fault', id, `fault ids are ${FAULT_ID_RULE}.`)
  return id
}

function clusterIdFrom(raw: string, target: string): ClusterResourceId {
  const parsed = parseClusterResourceId(raw)
  if ('problem' in parsed) throw ArmErrors.invalidRequestContent(parsed.problem, target)
  return parsed
}

// A cluster id is longer than the router's parameter limit and contains slashes, so the driver routes take the rest
// of the path: /admin/clusters/{url-encoded id}/driver, or the id spelled out: /admin/clusters/subscriptions/.../driver.
const CLUSTERS_PATH = '/admin/clusters/*'

function driverClusterId(request: FastifyRequest<{ Params: { '*': string } }>): string {
  const rest = request.params['*']
  if (!rest.endsWith('/driver')) throw ArmErrors.routeNotFound(request.method, request.url.split('?')[0] ?? request.url)
  const id = rest.slice(0, -'/driver'.length)
  return id.startsWith('/') ? id : `/${id}`
}

function asArmError(error: unknown): unknown {
  return error instanceof InvalidClusterDriverSetting ? ArmErrors.invalidRequestContent(error.message, error.target) : error
}

const clusterQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { clusterId: { type: 'string', minLength: 1 } },
} as const

const resetBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { clusterId: { type: 'string', minLength: 1 } },
} as const

/** POST /admin/reset takes no options: an empty object, or no body at all. */
const emptyBodySchema = { type: ['object', 'null'], additionalProperties: false } as const

// One change per call; `version` only with changeVersion (a schema `if` would word the error less plainly).
const tamperBodySchema = {
  type: 'object',
  required: ['clusterId', 'releaseName', 'change'],
  additionalProperties: false,
  properties: {
    clusterId: { type: 'string', minLength: 1 },
    releaseName: { type: 'string', minLength: 1, maxLength: 253 },
    change: { type: 'string', enum: ['remove', 'changeValues', 'changeVersion', 'markFailed'] },
    version: { type: 'string', pattern: '^[0-9A-Za-z.+-]{1,64}$' },
  },
} as const

interface TamperBody {
  clusterId: string
  releaseName: string
  change: ReleaseTamper['change']
  version?: string
}

function tamperFrom(body: TamperBody): ReleaseTamper {
  if (body.change === 'changeVersion') {
    if (body.version === undefined) throw ArmErrors.invalidRequestContent("'version' is required with change 'changeVersion'.", 'version')
    return { change: 'changeVersion', version: body.version }
  }
  if (body.version !== undefined) throw ArmErrors.invalidRequestContent(`'version' is only allowed with change 'changeVersion', not '${body.change}'.`, 'version')
  return { change: body.change }
}

const driverBodySchema = {
  type: 'object',
  required: ['driver'],
  additionalProperties: false,
  properties: {
    driver: { type: 'string', enum: [...CLUSTER_DRIVERS] },
    kubeconfig: { type: ['string', 'null'] },
  },
} as const

export interface AdminRoutesOptions {
  resetThrottling: ThrottleReset
}

export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  // Before the body is read: a cross-site form post is refused whatever it carries.
  app.addHook('onRequest', async (request) => assertNotCrossSite(request, app.services.config))
  operationHistoryRoutes(app)
  queueBoardRoutes(app)
  operationRetryRoutes(app)
  managedByRoutes(app)

  app.get<{ Querystring: { clusterId?: string } }>(FAULTS_PATH, { config: { access: CLUSTER_IN_QUERY }, schema: { hide: true, querystring: clusterQuerySchema } }, async (request) => {
    const cluster = request.query.clusterId ? clusterIdFrom(request.query.clusterId, 'clusterId') : undefined
    const faults = await listFaults(app.services.db, { cluster })
    return { value: faults.map(faultToView) }
  })

  app.post(FAULTS_PATH, { config: { access: CLUSTER_IN_BODY }, ...FAULT_RULE_ROUTE }, async (request, reply) => {
    const fault = await createFault(app.services.db, newFaultId(), faultRuleFrom(request.body))
    return reply.code(201).header('location', `${FAULTS_PATH}/${fault.id}`).send(faultToView(fault))
  })

  app.put<{ Params: { faultId: string } }>(`${FAULTS_PATH}/:faultId`, { config: { access: FLEET_WIDE }, ...FAULT_RULE_ROUTE }, async (request, reply) => {
    const id = faultIdFrom(request.params.faultId)
    const { fault, created } = await putFault(app.services.db, id, faultRuleFrom(request.body))
    return reply.code(created ? 201 : 200).send(faultToView(fault))
  })

  app.get<{ Params: { faultId: string } }>(`${FAULTS_PATH}/:faultId`, { config: { access: FLEET_WIDE }, schema: HIDDEN }, async (request) => {
    const fault = await findFault(app.services.db, faultIdFrom(request.params.faultId))
    if (!fault) throw ArmErrors.resourceNotFound(FAULT_TYPE, request.params.faultId)
    return faultToView(fault)
  })

  app.delete<{ Params: { faultId: string } }>(`${FAULTS_PATH}/:faultId`, { config: { access: FLEET_WIDE }, schema: HIDDEN }, async (request, reply) => {
    const deleted = await deleteFault(app.services.db, faultIdFrom(request.params.faultId))
    return reply.code(deleted ? 200 : 204).send()
  })

  // The clean slate for CI: resources, operations, queued jobs, throttle state, API fault rules, simulated releases.
  app.post('/admin/reset', { config: { access: FLEET_WIDE }, schema: { hide: true, body: emptyBodySchema } }, async () => {
    const removed = await deleteEverything(app.services.db)
    await app.services.queue.discardAll()
    await options.resetThrottling()
    return { removed }
  })

  app.post<{ Body: { clusterId?: string } | null }>('/admin/simulator/reset', { config: { access: CLUSTER_IN_BODY }, schema: { hide: true, body: resetBodySchema } }, async (request) => {
    const clusterId = request.body?.clusterId
    return resetSimulator(app.services.db, { cluster: clusterId ? clusterIdFrom(clusterId, 'clusterId') : undefined })
  })

  app.get<{ Querystring: { clusterId?: string } }>(
    '/admin/simulator/releases',
    { config: { access: CLUSTER_IN_QUERY }, schema: { hide: true, querystring: { ...clusterQuerySchema, required: ['clusterId'] } } },
    async (request) => {
      const cluster = clusterIdFrom(request.query.clusterId!, 'clusterId')
      return { value: await listSimulatedReleases(app.services.db, cluster) }
    },
  )

  // Rehearsing drift: change a simulated release behind arcext's back, as someone with cluster access would.
  app.post<{ Body: TamperBody }>('/admin/simulator/releases/tamper', { config: { access: CLUSTER_IN_BODY }, schema: { hide: true, body: tamperBodySchema } }, async (request) => {
    const cluster = clusterIdFrom(request.body.clusterId, 'clusterId')
    const tamper = tamperFrom(request.body)
    if (!(await tamperSimulatedRelease(app.services.db, cluster.idKey, request.body.releaseName, tamper))) {
      throw ArmErrors.resourceNotFound('simulated release', `${cluster.resourceId}/releases/${request.body.releaseName}`)
    }
    return { value: await listSimulatedReleases(app.services.db, cluster) }
  })

  app.get<{ Params: { '*': string } }>(CLUSTERS_PATH, { config: { access: CLUSTER_IN_PATH }, schema: HIDDEN }, async (request) => {
    const clusterId = driverClusterId(request)
    const view = await getClusterDriver(app.services.db, clusterId).catch((error: unknown) => {
      throw asArmError(error)
    })
    if (!view) throw ArmErrors.resourceNotFound('cluster', clusterId)
    return view
  })

  app.put<{ Params: { '*': string }; Body: { driver: ClusterDriverName; kubeconfig?: string | null } }>(
    CLUSTERS_PATH,
    { config: { access: CLUSTER_IN_PATH }, schema: { hide: true, body: driverBodySchema } },
    async (request) => {
      const clusterId = driverClusterId(request)
      const { db, secrets, config } = app.services
      const view = await setClusterDriver(db, secrets, clusterId, request.body, { execAllowlist: config.kubeconfigExecAllowlist }).catch((error: unknown) => {
        throw asArmError(error)
      })
      if (!view) throw ArmErrors.resourceNotFound('cluster', clusterId)
      return view
    },
  )
}
