// Request text that Postgres cannot store is refused up front with the JSON path that holds it, instead of failing
// as a 500 when the row is written: text and jsonb reject U+0000, and jsonb rejects unpaired UTF-16 surrogates
// (which JSON can spell as "\ud800"). Applies to bodies and query strings of every route (ARM-CONTRACT 17).
import type { FastifyInstance } from 'fastify'
import { ArmErrors } from './errors.js'

// Without the u flag the pattern sees UTF-16 code units: a NUL, a high surrogate not followed by a low one, or a low
// surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is exactly what Postgres cannot store
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export function isStorable(text: string): boolean {
  return !UNSTORABLE.test(text)
}

/** The path of the first string (value or key) that cannot be stored, or null when all can. */
export function findUnstorableText(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return isStorable(value) ? null : path
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnstorableText(value[index], [...path, String(index)])
      if (found) return found
    }
    return null
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (!isStorable(key)) return [...path, JSON.stringify(key).slice(1, -1)]
      const found = findUnstorableText(child, [...path, key])
      if (found) return found
    }
  }
  return null
}

export function registerStorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const inQuery = findUnstorableText(request.query)
    if (inQuery) {
      throw ArmErrors.invalidRequestContent(`The query parameter '${inQuery.join('.')}' contains a NUL character or an unpaired UTF-16 surrogate.`, inQuery.join('.'))
    }
    const inBody = findUnstorableText(request.body)
    if (inBody) {
      const target = inBody.join('.')
      throw ArmErrors.invalidRequestContent(`The value of '${target || 'the request body'}' contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.`, target)
    }
  })
}
