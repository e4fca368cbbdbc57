// What a request without content means. Clients and scripts often send a Content-Type on every request (curl with
// a global header, `curl -d ''`, SDK middleware), including a DELETE or an optional-body POST that carries nothing:
// such a request has no body, whatever its Content-Type says, rather than an empty JSON document or an unsupported
// media type. PUT and PATCH always need one, and say so in the same words however the body came to be missing.
import type { FastifyRequest } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import { ArmErrors } from './errors.js'

const METHODS_THAT_NEED_A_BODY = new Set(['PUT', 'PATCH'])

function hasNoContent(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0')
}

/** On request: Fastify parses by Content-Type before any route code runs; without it, a request with no content is bodyless. */
export function dropContentTypeOfEmptyRequest(request: FastifyRequest): void {
  // The raw headers are the ones its parser reads.
  const headers = request.raw.headers
  if (headers['content-type'] !== undefined && hasNoContent(headers)) delete headers['content-type']
}

/** Before validation: PUT and PATCH need a body. */
export function assertBodyPresent(request: FastifyRequest): void {
  if (request.body === undefined && METHODS_THAT_NEED_A_BODY.has(request.method)) throw ArmErrors.emptyRequestContent()
}
