// Limits on request content that no schema states but the storage and the process need, checked before validation
// on the body and query of every route, so breaking one is a 400 naming where, not a 500 (docs/arm-rules.md rule 17):
// - text Postgres cannot store: text and jsonb reject U+0000, and jsonb (and Prisma's engine) reject unpaired UTF-16
//   surrogates, which JSON can spell as "\ud800";
// - nesting deeper than any ARM body needs: every later recursive step (validation, serialisation, the driver's
//   values file) would otherwise be one more place a '[[[[…' body could exhaust the stack.
import type { FastifyRequest } from 'fastify'
import { ArmErrors } from './errors.js'

export const MAX_CONTENT_DEPTH = 64

// Without the u flag the pattern sees UTF-16 code units: a NUL, a high surrogate not followed by a low one, or a low
// surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is exactly what Postgres cannot store
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export function isStorable(text: string): boolean {
  return !UNSTORABLE.test(text)
}

export type ContentViolation = { kind: 'unstorableText' | 'tooDeep'; path: string[] }

interface Visit {
  value: unknown
  key: string | null
  parent: Visit | null
  depth: number
}

function pathOf(visit: Visit): string[] {
  const path: string[] = []
  for (let at: Visit | null = visit; at && at.key !== null; at = at.parent) path.unshift(at.key)
  return path
}

/** The first string (value or key) that cannot be stored or the first container nested too deep, else null. */
export function findContentViolation(content: unknown, maxDepth = MAX_CONTENT_DEPTH): ContentViolation | null {
  // Iterative: the input is exactly what might be deep enough to exhaust a recursive walk.
  const pending: Visit[] = [{ value: content, key: null, parent: null, depth: 0 }]
  while (pending.length > 0) {
    const visit = pending.pop()!
    const { value } = visit
    if (typeof value === 'string') {
      if (!isStorable(value)) return { kind: 'unstorableText', path: pathOf(visit) }
      continue
    }
    if (value === null || typeof value !== 'object') continue
    if (visit.depth >= maxDepth) return { kind: 'tooDeep', path: pathOf(visit) }
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value)
    // Reversed onto the stack so the first offending entry in document order is the one reported.
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index]!
      if (!isStorable(key)) return { kind: 'unstorableText', path: [...pathOf(visit), JSON.stringify(key).slice(1, -1)] }
      pending.push({ value: child, key, parent: visit, depth: visit.depth + 1 })
    }
  }
  return null
}

function describe(violation: ContentViolation, where: 'query' | 'body'): string {
  const target = violation.path.join('.')
  const subject = where === 'query' ? `The query parameter '${target}'` : `The value of '${target || 'the request body'}'`
  return violation.kind === 'tooDeep'
    ? `${subject} is nested more than ${MAX_CONTENT_DEPTH} levels deep.`
    : `${subject} contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.`
}

function assertStorable(content: unknown, where: 'query' | 'body'): void {
  const violation = findContentViolation(content)
  if (violation) throw ArmErrors.invalidRequestContent(describe(violation, where), violation.path.join('.'))
}

/** Before validation, on every route: the query first, then the body. */
export function assertStorableContent(request: FastifyRequest): void {
  assertStorable(request.query, 'query')
  assertStorable(request.body, 'body')
}
