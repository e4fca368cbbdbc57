// The operation URLs handed out by a 202 (docs/arm-rules.md rules 35-40), shared by extension and cluster operations: which
// operation a URL names, and the Location answer (202 while it runs, then what the original request would have
// answered synchronously, docs/arm-rules.md rule 36).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../core/config.js'
import type { Db } from '../../core/db/client.js'
import { isTerminal, type ErrorDetail } from '../../core/domain/model.js'
import { loadOperation, operationError, type Operation } from '../../core/store/operations.js'
import { publicBaseUrl, type BaseUrlConfig } from './base-url.js'
import { ArmErrors } from './errors.js'
import { isGuid } from '../../core/domain/guid.js'
import { ErrorCodes } from '../../core/domain/error-catalogue.js'

/** The operation the URL names, only if it acts on the resource the URL names (`resourceIdKey`); else 404. */
export async function operationOn(db: Db, request: FastifyRequest, resourceIdKey: string, belongs: (op: Operation) => boolean = () => true): Promise<Operation> {
  const operationId = request.arm.resourceId.operationId ?? ''
  const op = isGuid(operationId) ? await loadOperation(db, operationId.toLowerCase()) : null
  // A forceDelete's cleanup is internal: only operators see it (GET /admin/operations).
  if (!op || op.resourceIdKey !== resourceIdKey || op.kind === 'extension.cleanup' || !belongs(op)) throw ArmErrors.operationNotFound(operationId)
  return op
}

/** The error a failed operation reports, or a generic one when it recorded none. */
export function failureOf(op: Operation): ErrorDetail {
  return operationError(op) ?? { code: ErrorCodes.OperationFailed, message: 'The operation failed.' }
}

/**
 * Answers a Location poll: while the operation runs, 202 pointing back at the same URL after Retry-After; once it
 * is terminal, whatever `final` answers.
 */
export async function answerOperationResult(
  request: FastifyRequest,
  reply: FastifyReply,
  config: BaseUrlConfig & Pick<Config, 'retryAfterSeconds'>,
  op: Operation,
  final: (op: Operation) => Promise<FastifyReply> | FastifyReply,
): Promise<FastifyReply> {
  if (isTerminal(op.status)) return final(op)
  reply.header('location', `${publicBaseUrl(request, config)}${request.url}`)
  reply.header('retry-after', String(config.retryAfterSeconds))
  return reply.code(202).send()
}
