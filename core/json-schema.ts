// The one ajv that compiles the JSON Schemas core/ checks untrusted documents with (the extension-type catalog, fault
// rules), with the options Fastify's request validation uses too (api/app.ts), so a schema shared by a route and a
// core reader accepts exactly the same documents in both places.
import { Ajv, type AnySchemaObject, type ErrorObject, type Options } from 'ajv'

/** Validation semantics shared with Fastify: report every problem, never coerce or drop what the caller sent. */
export const SCHEMA_OPTIONS = { allErrors: true, allowUnionTypes: true, coerceTypes: false, removeAdditional: false, useDefaults: true } as const satisfies Options

/**
 * `x-problem`: the wording a failed keyword is reported with, keyed by keyword ("pattern", "minItems", ...) or "*" for
 * any keyword. Readers word their problems themselves; the schema only carries the per-field hint they need.
 */
export const PROBLEM_KEYWORD = 'x-problem'

export function addProblemKeyword(ajv: Ajv): Ajv {
  return ajv.addKeyword({ keyword: PROBLEM_KEYWORD, schemaType: 'object' })
}

// verbose: errors carry the failing value and the schema around the keyword, which the readers' wording needs;
// discriminator: a tagged union (e.g. the catalog's support policy) reports its tag instead of every branch.
export const schemaAjv = addProblemKeyword(new Ajv({ ...SCHEMA_OPTIONS, verbose: true, discriminator: true, strict: true }))

/** The `x-problem` wording for an error's keyword, if its schema gives one. */
export function problemPhrase(error: ErrorObject): string | undefined {
  const phrases: unknown = error.parentSchema?.[PROBLEM_KEYWORD]
  if (typeof phrases !== 'object' || phrases === null) return undefined
  const byKeyword = new Map(Object.entries(phrases))
  const phrase: unknown = byKeyword.get(error.keyword) ?? byKeyword.get('*')
  return typeof phrase === 'string' ? phrase : undefined
}

/** An error's instancePath as unescaped JSON Pointer segments: `/types/1/a~1b` → ['types', '1', 'a/b']. */
export function pointerSegments(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** The keys an object schema accepts, required ones first: what an "unknown key" problem lists. */
export function allowedKeys(schema: AnySchemaObject | undefined): string[] {
  const required: unknown = schema?.required
  const requiredKeys = Array.isArray(required) ? required.filter((key): key is string => typeof key === 'string') : []
  const properties: unknown = schema?.properties
  const propertyKeys = typeof properties === 'object' && properties !== null ? Object.keys(properties) : []
  return [...requiredKeys, ...propertyKeys.filter((key) => !requiredKeys.includes(key))]
}

/** Summaries of a combinator (if/then, oneOf) repeat what the branch's own errors already say. */
export function isSummaryError(error: ErrorObject): boolean {
  return error.keyword === 'if' || error.keyword === 'oneOf' || error.keyword === 'anyOf'
}

/** `example`: the sample the OpenAPI document shows (Swagger UI pre-fills request bodies with it); it validates nothing. */
export function addExampleKeyword(ajv: Ajv): Ajv {
  return ajv.addKeyword({ keyword: 'example' })
}
