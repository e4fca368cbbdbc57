// Operator view of operations (GET /admin/operations, GET /admin/operations/{id}): what ran, on what, how it ended,
// and each operation's timeline. Registered inside adminRoutes, so the same access rules and cross-site check apply.
import type { FastifyInstance } from 'fastify'
import type { RouteAccess } from '../auth/route-access.js'
import type { Operation, OperationEvent } from '../../core/db/generated/client.js'
import { findOperationWithTimeline, listOperations } from '../../core/store/operation-history.js'
import { operationError } from '../../core/store/operations.js'
import { parseClusterResourceId } from '../../core/store/cluster-resource-id.js'
import { OPERATION_KINDS, TERMINAL_STATES, type OperationKind } from '../../core/domain/model.js'
import type { OperationView, TimelineEventView } from '../../core/domain/operation-view.js'
import { ArmErrors } from '../arm/errors.js'

const OPERATIONS_PATH = '/admin/operations'
const DEFAULT_TOP = 100
const MAX_TOP = 1000
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

interface ListQuery {
  subscription?: string
  cluster?: string
  extension?: string
  status?: string
  kind?: OperationKind
  $top?: string
}

// Query strings are not coerced (core/json-schema.ts), so $top is checked as digits here and as a range below.
const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subscription: { type: 'string', pattern: UUID },
    cluster: { type: 'string', minLength: 1 },
    extension: { type: 'string', pattern: '^[A-Za-z0-9][-A-Za-z0-9_.]{0,252}$' },
    status: { type: 'string', enum: ['InProgress', ...TERMINAL_STATES] },
    kind: { type: 'string', enum: [...OPERATION_KINDS] },
    $top: { type: 'string', pattern: '^[0-9]{1,4}$' },
  },
} as const

const ACCESS_BY_CLUSTER: RouteAccess = {
  kind: 'operator',
  cluster: (request) => {
    const cluster = (request.query as ListQuery | undefined)?.cluster
    return typeof cluster === 'string' && cluster !== '' ? cluster : undefined
  },
}
const FLEET_WIDE: RouteAccess = { kind: 'operator' }

function topFrom(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TOP
  const top = Number(raw)
  if (top < 1 || top > MAX_TOP) throw ArmErrors.invalidRequestContent(`$top must be between 1 and ${MAX_TOP}; it was ${top}.`, '$top')
  return top
}

function clusterKeyFrom(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const parsed = parseClusterResourceId(raw)
  if ('problem' in parsed) throw ArmErrors.invalidRequestContent(parsed.problem, 'cluster')
  return parsed.idKey
}

export function operationView(op: Operation): OperationView {
  return {
    id: op.id,
    kind: op.kind,
    resourceId: op.resourceId,
    status: op.status,
    percentComplete: op.percentComplete,
    attempts: op.attempts,
    apiVersion: op.apiVersion,
    correlationId: op.correlationId,
    startTime: op.startTime.toISOString(),
    endTime: op.endTime?.toISOString() ?? null,
    error: operationError(op),
  }
}

/** Only what the event carries: an accepted event has no attempt, a dispatched one no status. */
function eventView(event: OperationEvent): TimelineEventView {
  const view: TimelineEventView = { at: event.at.toISOString(), event: event.kind }
  if (event.attempt !== null) view.attempt = event.attempt
  if (event.status !== null) view.status = event.status
  if (event.errorCode !== null) view.errorCode = event.errorCode
  if (event.reason !== null) view.reason = event.reason
  if (event.driver !== null) view.driver = event.driver
  if (event.step !== null) view.step = event.step
  if (event.durationMs !== null) view.durationMs = event.durationMs
  return view
}

export function operationHistoryRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: ListQuery }>(OPERATIONS_PATH, { config: { access: ACCESS_BY_CLUSTER }, schema: { hide: true, querystring: listQuerySchema } }, async (request) => {
    const { subscription, cluster, extension, status, kind, $top } = request.query
    const operations = await listOperations(app.services.db, { subscription, clusterIdKey: clusterKeyFrom(cluster), extension, status, kind, top: topFrom($top) })
    return { value: operations.map(operationView) }
  })

  app.get<{ Params: { operationId: string } }>(`${OPERATIONS_PATH}/:operationId`, { config: { access: FLEET_WIDE }, schema: { hide: true } }, async (request) => {
    const { operationId } = request.params
    const found = new RegExp(UUID).test(operationId) ? await findOperationWithTimeline(app.services.db, operationId) : null
    if (!found) throw ArmErrors.operationNotFound(operationId)
    return { ...operationView(found.operation), timeline: found.timeline.map(eventView) }
  })
}
