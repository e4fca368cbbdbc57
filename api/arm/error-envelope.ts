// The one place that writes error responses: ArmError as-is, request-shape failures as 400 InvalidRequestContent
// with the JSON path as target, anything unexpected as a logged 500 with no internal detail (docs/arm-rules.md rule 17).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { generateRequestId, stampArmContext } from './request-context.js'
import { ArmError, ArmErrors } from './errors.js'
import type { ErrorDetail } from '../../core/domain/model.js'
import { ErrorCodes } from '../../core/domain/error-catalogue.js'
import { OperationInProgressError, ConcurrentModificationError } from '../../core/domain/errors.js'
import { Prisma } from '../../core/db/client.js'
import { SecretUnavailableError } from '../../core/secrets.js'

interface ValidationIssue {
  instancePath?: string
  message?: string
  keyword?: string
  params?: Record<string, unknown>
}

function jsonPathTarget(issue: ValidationIssue): string {
  const segments = (issue.instancePath ?? '').split('/').filter(Boolean)
  const extra = issue.keyword === 'required' ? String(issue.params?.missingProperty ?? '') : issue.keyword === 'additionalProperties' ? String(issue.params?.additionalProperty ?? '') : ''
  if (extra) segments.push(extra)
  return segments.join('.')
}

function describeIssue(context: string | undefined, issue: ValidationIssue): ErrorDetail {
  const target = jsonPathTarget(issue)
  let message: string
  switch (issue.keyword) {
    case 'required':
      message = `The property '${target}' is required.`
      break
    case 'additionalProperties':
      message = `The property '${target}' is not allowed here.`
      break
    case 'enum':
      message = `The value of '${target}' must be one of: ${((issue.params?.allowedValues as unknown[]) ?? []).join(', ')}.`
      break
    default:
      message = `The value of '${target || context}' ${issue.message ?? 'is invalid'}.`
  }
  return { code: ErrorCodes.InvalidRequestContent, message, target: target || context || '' }
}

/** The ARM error for a thrown value, or null when it is unexpected; `contentType` is the request's, for a 415. */
export function toArmError(error: unknown, contentType?: string): ArmError | null {
  if (error instanceof ArmError) return error
  if (error instanceof OperationInProgressError) return ArmErrors.anotherOperationInProgress(error.message, error.resourceId)
  if (error instanceof ConcurrentModificationError) return ArmErrors.conflict(error.message, error.resourceId)
  if (error instanceof SecretUnavailableError) return ArmErrors.encryptionKeyUnavailable('stored secret', error.message)
  // The database could not give this request a connection or transaction in time: an overload the client should
  // retry (docs/arm-rules.md rule 57), not an internal error.
  const poolTimeout = error instanceof Error && error.message.startsWith('timeout exceeded when trying to connect') // node-postgres' pool
  // 55P03: a row lock not granted within lock_timeout (core/db/client.ts).
  const lockTimeout = error instanceof Error && (error as { code?: unknown }).code === '55P03'
  if (poolTimeout || lockTimeout || (error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2028' || error.code === 'P2024'))) {
    return ArmErrors.serviceUnavailable('The service is busy; retry the request after the Retry-After interval.')
  }
  const fastifyError = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string }
  if (fastifyError.validation) {
    const details = fastifyError.validation.map((issue) => describeIssue(fastifyError.validationContext, issue))
    const first = details[0]
    return ArmErrors.invalidRequestContent(first ? first.message : 'The request content is invalid.', first?.target, details.length > 1 ? details : undefined)
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ArmErrors.unsupportedMediaType((contentType ?? 'none').slice(0, 200))
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ArmErrors.payloadTooLarge()
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ArmErrors.emptyRequestContent()
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ArmErrors.invalidRequestContent('The request content is not valid JSON.')
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    // Only the position: the parser's message can quote the body, protected settings included.
    const position = /at position (\d+)/.exec(error.message)?.[1]
    return ArmErrors.invalidRequestContent(`The request content is not valid JSON${position ? ` (at position ${position})` : ''}.`)
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ArmError(ErrorCodes.BadRequest, fastifyError.message, undefined, undefined, undefined, fastifyError.statusCode)
  }
  return null
}

/** Answers with the envelope; an unexpected error (null) becomes a 500 with no detail, and every 5xx is logged. */
function sendArmError(request: FastifyRequest, reply: FastifyReply, error: unknown, armError: ArmError | null): void {
  if (!armError) {
    request.log.error({ err: error }, 'unhandled error')
    armError = ArmErrors.internal()
  } else if (armError.statusCode >= 500) {
    request.log.error({ err: error }, armError.code)
  }
  reply.headers(armError.headers).code(armError.statusCode).send(armError.toBody())
}

/** Longest path segment the router matches; resource names are validated (to 253 characters or less) after it. */
export const MAX_PATH_SEGMENT_LENGTH = 2048

/**
 * Fastify's `frameworkErrors`: the router refuses a malformed or oversized URL before any hook or handler runs,
 * and would answer in its own shape. These get the ARM envelope and request ids like every other answer.
 */
export function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  stampArmContext(request, reply)
  const armError =
    error.code === 'FST_ERR_BAD_URL' ? ArmErrors.invalidRequestUri() : error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? ArmErrors.requestUriTooLong(MAX_PATH_SEGMENT_LENGTH) : toArmError(error)
  sendArmError(request, reply, error, armError)
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refuses the bytes before there is a request at all (a bad
 * request line or header, broken chunked framing, headers too large, too slow). The answer is still the envelope.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const armError = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ArmErrors.requestTimeout() : error.code === 'HPE_HEADER_OVERFLOW' ? ArmErrors.headersTooLarge() : ArmErrors.malformedHttp()
  answerOnSocket(socket, armError)
}

/**
 * Writes `armError` straight onto a connection Node has taken away from the HTTP machinery (a parse error, a CONNECT
 * request) and closes it.
 */
export function answerOnSocket(socket: Socket, armError: ArmError): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = JSON.stringify(armError.toBody())
  // end(), not write() then destroy(): destroying a TLS socket drops what is still queued for encryption, so under
  // load the client saw the connection close with no answer at all.
  socket.end(
    `HTTP/1.1 ${armError.statusCode} ${STATUS_CODES[armError.statusCode] ?? ''}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-ms-request-id: ${generateRequestId()}\r\nConnection: close\r\n\r\n${body}`,
  )
  // A client that never reads must not hold the socket open.
  setTimeout(() => socket.destroy(), SOCKET_LINGER_MS).unref()
}

/** How long a refused connection may take to drain its answer before it is cut. */
const SOCKET_LINGER_MS = 5_000

export function registerErrorEnvelope(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    sendArmError(request, reply, error, toArmError(error, request.headers['content-type']))
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url
    const error = ArmErrors.routeNotFound(request.method, path)
    reply.code(error.statusCode).send(error.toBody())
  })
}
