// Long-running operation headers (docs/arm-rules.md rules 28, 35-37, 43): absolute Azure-AsyncOperation and Location URLs
// on the public address, carrying the request's api-version, plus Retry-After in whole seconds.
import type { FastifyReply } from 'fastify'

export const OPERATION_STATUS_SEGMENT = 'operations'
export const OPERATION_RESULT_SEGMENT = 'operationResults'

export interface AsyncOperationRef {
  baseUrl: string
  resourceId: string
  operationId: string
  apiVersion: string
  retryAfterSeconds: number
  /** ISO 8601 duration hint: PT48H for PUT/PATCH, PT1H for DELETE in the upstream examples. */
  timeout: 'PT48H' | 'PT1H'
}

export function operationStatusPath(resourceId: string, operationId: string): string {
  return `${resourceId}/${OPERATION_STATUS_SEGMENT}/${operationId}`
}

/** A resource id (decoded, as ARM writes it) as a URL path: each segment percent-encoded, so it is a valid header. */
export function encodedPath(resourceId: string): string {
  return resourceId.split('/').map(encodeURIComponent).join('/')
}

/**
 * The answer of an accepted operation: where and how often to poll it, and the operation's id on the request's
 * remaining log lines (the completion line among them), so an operation is followed from request to worker by its id.
 */
export function announceOperation(reply: FastifyReply, ref: AsyncOperationRef): void {
  reply.request.log = reply.request.log.child({ operationId: ref.operationId })
  reply.log = reply.request.log
  const query = `?api-version=${encodeURIComponent(ref.apiVersion)}`
  const statusPath = encodedPath(operationStatusPath(ref.resourceId, ref.operationId))
  reply.header('azure-asyncoperation', `${ref.baseUrl}${statusPath}${query}`)
  reply.header('location', `${ref.baseUrl}${encodedPath(`${ref.resourceId}/${OPERATION_RESULT_SEGMENT}/${ref.operationId}`)}${query}`)
  reply.header('retry-after', String(ref.retryAfterSeconds))
  reply.header('x-ms-async-operation-timeout', ref.timeout)
}
