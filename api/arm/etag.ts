// ETag preconditions (docs/arm-rules.md rules 44-47). Etags are strong, quoted in headers.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ArmErrors } from './errors.js'

export function quoteEtag(etag: string): string {
  return `"${etag}"`
}

function tags(header: string | string[] | undefined): string[] | undefined {
  if (header === undefined) return undefined
  const joined = Array.isArray(header) ? header.join(',') : header
  return joined
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .filter(Boolean)
}

/**
 * Checks If-Match / If-None-Match against the current resource (null when absent).
 * Missing-resource outcomes that are not 412 (PATCH 404, DELETE 204) are the caller's to decide first.
 */
export function assertPreconditions(request: FastifyRequest, current: { etag: string } | null): void {
  const ifMatch = tags(request.headers['if-match'])
  const ifNoneMatch = tags(request.headers['if-none-match'])
  if (ifMatch) {
    if (!current) throw ArmErrors.preconditionFailed('If-Match was given but the resource does not exist.')
    if (!ifMatch.includes('*') && !ifMatch.includes(current.etag)) {
      throw ArmErrors.preconditionFailed(`The resource's ETag does not match the If-Match header.`)
    }
  }
  if (ifNoneMatch && current) {
    if (ifNoneMatch.includes('*') || ifNoneMatch.includes(current.etag)) {
      throw ArmErrors.preconditionFailed('If-None-Match was given but the resource already exists.')
    }
  }
}

export function setEtag(reply: FastifyReply, etag: string): void {
  reply.header('etag', quoteEtag(etag))
}
