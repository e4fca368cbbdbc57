// Checks a settings map against a catalog-authored JSON Schema and words each problem by key and rule only: the value a
// caller sent is never part of a problem, because protected settings are secrets and plain ones often hold ids too.
import type { ErrorObject, ValidateFunction } from 'ajv'
import { allowedKeys, isSummaryError, pointerSegments, problemPhrase, schemaAjv } from '../json-schema.js'

export interface SettingsProblem {
  /** The settings key the problem is about, or null when the rule spans several keys (its phrase names them). */
  key: string | null
  phrase: string
}

const compiled = new WeakMap<object, ValidateFunction>()

/** Compiles once per schema object; throws on a schema ajv cannot compile (the catalog loader reports that). */
export function compileSettingsSchema(schema: Record<string, unknown>): ValidateFunction {
  const known = compiled.get(schema)
  if (known) return known
  const validate = schemaAjv.compile(schema)
  compiled.set(schema, validate)
  return validate
}

function list(values: unknown): string {
  return Array.isArray(values) ? values.map(String).join(', ') : String(values)
}

/** Ajv's params name only what the schema allows (patterns, enums, limits), never the instance. */
function genericPhrase(error: ErrorObject): string {
  const params: Record<string, unknown> = error.params
  switch (error.keyword) {
    case 'required':
      return 'is required'
    case 'additionalProperties':
      return `is not a setting this extension type accepts. Allowed keys: ${allowedKeys(error.parentSchema).join(', ')}`
    case 'enum':
      return `must be one of ${list(params.allowedValues)}`
    case 'const':
      return `must be ${list(params.allowedValue)}`
    case 'pattern':
      return `must match ${list(params.pattern)}`
    case 'type':
      return `must be of type ${list(params.type)}`
    case 'not':
      return 'is not allowed here'
    default:
      return `breaks the '${error.keyword}' rule of the extension type's settings schema`
  }
}

function keyOf(error: ErrorObject): string | null {
  const params: Record<string, unknown> = error.params
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') return params.missingProperty
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') return params.additionalProperty
  return pointerSegments(error.instancePath)[0] ?? null
}

/**
 * A combinator that carries its own `x-problem` (e.g. "enableTraining or enableInference is required") is reported once
 * in its words, and the errors of its branches are dropped; one without is dropped in favour of its branches' errors.
 */
function reportable(errors: readonly ErrorObject[]): ErrorObject[] {
  const worded = errors.filter((error) => isSummaryError(error) && problemPhrase(error) !== undefined)
  const insideWorded = (error: ErrorObject) => worded.some((summary) => summary !== error && error.schemaPath.startsWith(`${summary.schemaPath}/`))
  return errors.filter((error) => !insideWorded(error) && (!isSummaryError(error) || worded.includes(error)))
}

/** Every problem with `settings` under `schema`, in schema order, one per key and rule. */
export function settingsProblems(schema: Record<string, unknown>, settings: Readonly<Record<string, string>>): SettingsProblem[] {
  const validate = compileSettingsSchema(schema)
  // A copy: the shared ajv fills in defaults, and the caller's map must stay as sent.
  if (validate({ ...settings })) return []
  const problems = reportable(validate.errors ?? []).map((error) => ({ key: keyOf(error), phrase: problemPhrase(error) ?? genericPhrase(error) }))
  return problems.filter((problem, i) => problems.findIndex((other) => other.key === problem.key && other.phrase === problem.phrase) === i)
}
