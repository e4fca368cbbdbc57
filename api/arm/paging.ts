// List paging (docs/arm-rules.md rules 49-51): `{value, nextLink}` with an opaque $skipToken over a keyset, so pages stay
// correct and fast at any depth while rows are inserted or deleted between requests.
import type { FastifyRequest } from 'fastify'
import { ArmErrors } from './errors.js'
import { publicBaseUrl, type BaseUrlConfig } from './base-url.js'
import { isStorable } from './content-limits.js'

export const DEFAULT_PAGE_SIZE = 100
export const MAX_PAGE_SIZE = 1000

export interface PageRequest {
  /** Page size. */
  top: number
  /** The last key of the previous page, or null for the first page. */
  after: string | null
}

export interface Page<T> {
  value: T[]
  nextLink?: string
}

export const pagingQuerySchema = {
  type: 'object',
  properties: {
    'api-version': { type: 'string' },
    $top: { type: 'string', pattern: '^[0-9]+$' },
    $skipToken: { type: 'string' },
  },
} as const

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url')
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown }
    // A forged token can carry text no key holds and the database cannot even compare (NUL, lone surrogates).
    if (parsed.v === 1 && typeof parsed.after === 'string' && isStorable(parsed.after)) return parsed.after
  } catch {
    // reported below
  }
  throw ArmErrors.invalidSkipToken()
}

export function pageRequest(request: FastifyRequest): PageRequest {
  const query = request.query as Record<string, string | undefined>
  let top = DEFAULT_PAGE_SIZE
  if (query.$top !== undefined) {
    top = Number(query.$top)
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
      throw ArmErrors.invalidRequestContent(`$top must be an integer between 1 and ${MAX_PAGE_SIZE}.`, '$top')
    }
  }
  return { top, after: query.$skipToken ? decodeToken(query.$skipToken) : null }
}

/**
 * Builds a page from up to top+1 rows fetched in key order (the extra row only says "there is more").
 * nextLink repeats the request's own query (api-version, $top, filters) with a new $skipToken.
 */
export function toPage<Row, T>(request: FastifyRequest, baseUrlConfig: BaseUrlConfig, page: PageRequest, rows: Row[], keyOf: (row: Row) => string, render: (row: Row) => T): Page<T> {
  const visible = rows.slice(0, page.top)
  const result: Page<T> = { value: visible.map(render) }
  const last = visible[visible.length - 1]
  if (rows.length > page.top && last !== undefined) {
    // The request target is a path (api/arm/request-gate.ts), so it is appended, never resolved against the base.
    const queryAt = request.url.indexOf('?')
    const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt)
    const query = new URLSearchParams(queryAt === -1 ? '' : request.url.slice(queryAt + 1))
    query.set('$skipToken', encodeToken(keyOf(last)))
    result.nextLink = `${new URL(publicBaseUrl(request, baseUrlConfig)).origin}${path}?${query.toString()}`
  }
  return result
}
