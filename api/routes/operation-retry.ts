// POST /admin/operations/{id}/retry: runs a failed operation's desired state again as a new, ordinary operation, as
// if its caller had sent the PUT or DELETE again (what every failure's message tells them to do). Only the newest
// operation on its resource is retried, so a retry never undoes a later request. Registered inside adminRoutes, so
// the operator access rules and the cross-site check apply.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteAccess } from '../auth/route-access.js'
import { CLUSTER_PARENT_TYPES } from '../../core/domain/cluster-types.js'
import { ConcurrentModificationError } from '../../core/domain/errors.js'
import { isGuid } from '../../core/domain/guid.js'
import { findClusterById } from '../../core/store/clusters.js'
import { acceptClusterDelete, acceptExtensionChange, acceptExtensionDelete, findExtension } from '../../core/store/extensions.js'
import { laterOperationOn } from '../../core/store/operation-history.js'
import { loadOperation, operationFlag, type Operation } from '../../core/store/operations.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import { announceOperation } from '../arm/async-operation.js'
import { publicBaseUrl } from '../arm/base-url.js'
import { ArmErrors } from '../arm/errors.js'
import { judgedAgainstLatest } from '../arm/lost-race.js'
import { operationView } from './admin-operations.js'
import { ExtensionPlanner } from './extension-plan.js'
import { assertNoViolations } from '../arm/rule-violations.js'

const FLEET_WIDE: RouteAccess = { kind: 'operator' }
/** The retry takes no options: an empty object, or no body at all. */
const emptyBodySchema = { type: ['object', 'null'], additionalProperties: false } as const

/** What a retry started: the new operation and what to deliver, or a cluster deletion that had nothing left to wait for. */
type Retried = { operation: Operation; deliver: Operation[] } | { deletedAtOnce: true }

export function operationRetryRoutes(app: FastifyInstance): void {
  const { db, queue, secrets, config } = app.services
  const planner = new ExtensionPlanner(secrets)

  async function retryExtensionOperation(failed: Operation, request: FastifyRequest): Promise<Retried> {
    const extension = await findExtension(db, failed.resourceIdKey)
    if (!extension || extension.id !== failed.extensionId) throw ArmErrors.operationNotRetryable(failed.id, 'the extension it acted on no longer exists')
    const { correlationId, caller } = request.arm
    if (failed.kind === 'extension.delete') {
      const forceDelete = operationFlag(failed, 'forceDelete')
      const accepted = await acceptExtensionDelete(db, extension, { apiVersion: failed.apiVersion, correlationId, forceDelete, expectedEtag: extension.etag })
      if (!accepted) throw new ConcurrentModificationError(extension.resourceId)
      if (!accepted.created) throw ArmErrors.operationNotRetryable(failed.id, `operation '${accepted.operation.id}' is already deleting the extension`)
      return { operation: accepted.operation, deliver: [accepted.operation] }
    }
    if (failed.kind === 'extension.upgrade') {
      // The auto-upgrade sweep's own kind of operation, started again: it moves to the newest version the train allows.
      const accepted = await acceptExtensionChange(db, extension, { kind: 'extension.upgrade', caller, apiVersion: failed.apiVersion, correlationId })
      return { operation: accepted.operation, deliver: [accepted.operation] }
    }
    // An install or update: the stored desired state, judged by the catalog again as a PUT of it would be.
    const cluster = await findClusterById(db, extension.clusterId)
    if (!cluster) throw new ConcurrentModificationError(extension.resourceId)
    const clusterType = CLUSTER_PARENT_TYPES.find((type) => `${type.provider}/${type.resourceType}`.toLowerCase() === cluster.typeKey)?.resourceType ?? cluster.typeKey
    const plan = planner.planStored(extension)
    const { spec } = plan
    const accepted = await acceptExtensionChange(db, extension, {
      kind: 'extension.update',
      spec,
      caller,
      apiVersion: failed.apiVersion,
      correlationId,
      admit: (installed) => assertNoViolations(plan.violations(cluster, clusterType, installed)),
    })
    return { operation: accepted.operation, deliver: [accepted.operation] }
  }

  async function retryClusterDelete(failed: Operation, request: FastifyRequest): Promise<Retried> {
    const cluster = failed.clusterId ? await findClusterById(db, failed.clusterId) : null
    if (!cluster) throw ArmErrors.operationNotRetryable(failed.id, 'the cluster it acted on no longer exists')
    const result = await acceptClusterDelete(db, cluster, {
      apiVersion: failed.apiVersion,
      correlationId: request.arm.correlationId,
      forceDelete: operationFlag(failed, 'forceDelete'),
      expectedEtag: cluster.etag,
    })
    if (result.outcome === 'gone') throw ArmErrors.operationNotRetryable(failed.id, 'the cluster it acted on no longer exists')
    if (result.outcome === 'deleted') return { deletedAtOnce: true }
    if (result.deliver.length === 0) throw ArmErrors.operationNotRetryable(failed.id, `operation '${result.operation.id}' is already deleting the cluster`)
    return { operation: result.operation, deliver: result.deliver }
  }

  async function retry(operationId: string, request: FastifyRequest): Promise<Retried> {
    const failed = isGuid(operationId) ? await loadOperation(db, operationId) : null
    if (!failed) throw ArmErrors.operationNotFound(operationId)
    if (failed.status !== 'Failed') throw ArmErrors.operationNotRetryable(failed.id, `it is ${failed.status}; only a Failed operation can be retried`)
    const later = await laterOperationOn(db, failed)
    if (later) throw ArmErrors.operationNotRetryable(failed.id, `operation '${later.id}' (${later.kind}, ${later.status}) on the same resource came after it`)
    return failed.kind === 'cluster.delete' ? retryClusterDelete(failed, request) : retryExtensionOperation(failed, request)
  }

  function answer(request: FastifyRequest, reply: FastifyReply, retriedOperationId: string, operation: Operation) {
    announceOperation(reply, {
      baseUrl: publicBaseUrl(request, config),
      resourceId: operation.resourceId,
      operationId: operation.id,
      apiVersion: operation.apiVersion,
      retryAfterSeconds: config.retryAfterSeconds,
      timeout: operation.kind === 'extension.install' || operation.kind === 'extension.update' || operation.kind === 'extension.upgrade' ? 'PT48H' : 'PT1H',
    })
    return reply.code(202).send({ ...operationView(operation), retriedOperationId })
  }

  app.post<{ Params: { operationId: string } }>('/admin/operations/:operationId/retry', { config: { access: FLEET_WIDE }, schema: { hide: true, body: emptyBodySchema } }, async (request, reply) => {
    const { operationId } = request.params
    // A race lost to another request (a PUT, DELETE or retry of the same resource) is judged again: it is then later.
    const retried = await judgedAgainstLatest(() => retry(operationId, request))
    if ('deletedAtOnce' in retried) return reply.code(200).send({ retriedOperationId: operationId, deleted: true })
    await deliverOrLeaveToOutbox(db, queue, retried.deliver, request.log)
    return answer(request, reply, operationId, retried.operation)
  })
}
