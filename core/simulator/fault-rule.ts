// The fault-injection rule a caller writes (admin API body or one SIMULATED_FAULTS entry), checked and normalised
// in one place so the API and the environment variable accept exactly the same rules: its structure is one JSON
// Schema (also the admin routes' body schema), what depends on the kind or on other data is checked here. Every
// problem is reported at once, each with the JSON path it concerns, so a rule can be fixed in one pass.
import type { ErrorObject } from 'ajv'
import { parseClusterResourceId, type ClusterResourceId } from '../store/cluster-resource-id.js'
import { pointerSegments, schemaAjv } from '../json-schema.js'

export const FAULT_KINDS = ['failInstall', 'failUpgrade', 'failUninstall', 'hang', 'unreachable', 'latency'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/** The driver calls a rule can affect. Reading a release's state is never faulted. */
export const DRIVER_OPERATIONS = ['install', 'upgrade', 'uninstall'] as const
export type DriverOperation = (typeof DRIVER_OPERATIONS)[number]

/** The operation a fail* kind is bound to; the other kinds apply to `operations` (default: all). */
const BOUND_OPERATION: Partial<Record<FaultKind, DriverOperation>> = {
  failInstall: 'install',
  failUpgrade: 'upgrade',
  failUninstall: 'uninstall',
}

export const DEFAULT_HANG_MS = 600_000
export const MAX_HANG_MS = 86_400_000
export const MAX_LATENCY_MS = 600_000
const MAX_MESSAGE_LENGTH = 1000
const FAULT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

export interface FaultRuleSpec {
  kind: FaultKind
  cluster: ClusterResourceId | null
  /** Lower-cased. */
  extensionType: string | null
  /** Empty: every operation the kind applies to. */
  operations: DriverOperation[]
  transient: boolean
  probability: number
  remainingCalls: number | null
  durationMs: number | null
  message: string | null
}

export interface FaultRuleProblem {
  target: string
  message: string
}

export interface ReadFaultRuleOptions {
  /** JSON path prefix for problem targets, e.g. `SIMULATED_FAULTS[2]`. */
  path?: string
  /** Whether the rule may carry its own `id` (SIMULATED_FAULTS entries); the API takes it from the URL instead. */
  allowId?: boolean
  /** Rejects extension types this installation does not know, since a rule for one would never fire. */
  isKnownExtensionType?: (type: string) => boolean
}

export type ReadFaultRuleResult = { ok: true; rule: FaultRuleSpec; id: string | undefined } | { ok: false; problems: FaultRuleProblem[] }

/** Which operations a rule affects when it fires. */
export function ruleOperations(kind: FaultKind, operations: readonly DriverOperation[]): DriverOperation[] {
  const bound = BOUND_OPERATION[kind]
  if (bound) return [bound]
  return operations.length ? [...operations] : [...DRIVER_OPERATIONS]
}

export function isFaultId(id: string): boolean {
  return FAULT_ID.test(id)
}

export const FAULT_ID_RULE = "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"

/** A rule as written, once its structure is sound. */
interface FaultRuleBody {
  id?: string
  kind: FaultKind
  clusterId?: string | null
  extensionType?: string | null
  operations?: DriverOperation[]
  transient?: boolean
  probability?: number
  remainingCalls?: number | null
  durationMs?: number
  message?: string | null
}

// `x-problem` "*": how any failure of the field is worded, after "The value of '<field>'".
const durationProblem = (max: number) => `must be a whole number of milliseconds from 0 to ${max}.`
const ruleProperties = {
  kind: { enum: [...FAULT_KINDS], 'x-problem': { required: `is required; one of ${FAULT_KINDS.join(', ')}.`, '*': `must be one of: ${FAULT_KINDS.join(', ')}.` } },
  clusterId: { type: ['string', 'null'], 'x-problem': { '*': 'must be a cluster resource id string.' } },
  extensionType: { type: ['string', 'null'], pattern: '\\S', 'x-problem': { '*': "must be an extension type name such as 'microsoft.flux'." } },
  operations: { type: 'array', minItems: 1, items: { enum: [...DRIVER_OPERATIONS] }, 'x-problem': { '*': `must be a non-empty array of: ${DRIVER_OPERATIONS.join(', ')}.` } },
  transient: { type: 'boolean', 'x-problem': { '*': 'must be true or false.' } },
  probability: { type: 'number', minimum: 0, maximum: 1, 'x-problem': { '*': 'must be a number from 0 to 1.' } },
  remainingCalls: { type: ['integer', 'null'], minimum: 1, maximum: Number.MAX_SAFE_INTEGER, 'x-problem': { '*': 'must be a whole number of at least 1, or null for no limit.' } },
  // The longest any kind takes; latency's shorter limit is kind-bound, so checked in readFaultRule.
  durationMs: { type: 'integer', minimum: 0, maximum: MAX_HANG_MS, 'x-problem': { '*': durationProblem(MAX_HANG_MS) } },
  message: { type: ['string', 'null'], pattern: '\\S', maxLength: MAX_MESSAGE_LENGTH, 'x-problem': { '*': `must be a non-empty string of at most ${MAX_MESSAGE_LENGTH} characters.` } },
} as const

/** The admin API's fault rule body (POST and PUT /admin/simulator/faults). */
export const faultRuleBodySchema = { type: 'object', required: ['kind'], additionalProperties: false, properties: ruleProperties } as const

/** A SIMULATED_FAULTS entry: the same rule, plus the id the API takes from the URL. */
const envFaultRuleSchema = {
  ...faultRuleBodySchema,
  properties: { id: { type: 'string', pattern: FAULT_ID.source, 'x-problem': { '*': `must be ${FAULT_ID_RULE}.` } }, ...ruleProperties },
} as const

const validateRuleBody = schemaAjv.compile<FaultRuleBody>(faultRuleBodySchema)
const validateEnvRule = schemaAjv.compile<FaultRuleBody>(envFaultRuleSchema)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The field an ajv error is about (the rule is flat: the first path segment) and its wording. */
function structuralProblem(error: ErrorObject, properties: Record<string, { 'x-problem': Record<string, string> }>, at: (field: string) => string): [string, string] {
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty)
    return [key, `The property '${at(key)}' is not allowed here; allowed: ${Object.keys(properties).join(', ')}.`]
  }
  if (error.keyword === 'required') {
    const field = String(error.params.missingProperty)
    return [field, `The property '${at(field)}' ${properties[field]?.['x-problem'].required ?? 'is required.'}`]
  }
  const field = pointerSegments(error.instancePath)[0] ?? ''
  return [field, `The value of '${at(field)}' ${properties[field]?.['x-problem']['*'] ?? String(error.message)}`]
}

export function readFaultRule(raw: unknown, options: ReadFaultRuleOptions = {}): ReadFaultRuleResult {
  const prefix = options.path ?? ''
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field)
  if (!isRecord(raw)) return { ok: false, problems: [{ target: prefix, message: 'A fault rule must be a JSON object.' }] }

  // One problem per field: the structure's first, unless a check below knows better.
  const problemByField = new Map<string, string>()
  const [validate, properties] = options.allowId ? [validateEnvRule, envFaultRuleSchema.properties] : [validateRuleBody, faultRuleBodySchema.properties]
  const sound = validate(raw)
  for (const error of validate.errors ?? []) {
    const [field, message] = structuralProblem(error, properties, at)
    if (!problemByField.has(field)) problemByField.set(field, message)
  }
  const isSound = (field: string) => !problemByField.has(field)

  const kind = FAULT_KINDS.find((known) => known === raw.kind)
  const notFor = (field: string, why: string) => {
    if (raw[field] !== undefined) problemByField.set(field, `The property '${at(field)}' is not used by ${kind} rules: ${why}`)
  }

  let cluster: ClusterResourceId | null = null
  if (typeof raw.clusterId === 'string' && isSound('clusterId')) {
    const parsed = parseClusterResourceId(raw.clusterId)
    if ('problem' in parsed) problemByField.set('clusterId', parsed.problem)
    else cluster = parsed
  }

  if (typeof raw.extensionType === 'string' && isSound('extensionType') && options.isKnownExtensionType && !options.isKnownExtensionType(raw.extensionType)) {
    problemByField.set('extensionType', `The extension type '${raw.extensionType}' is not in the catalog, so a rule for it would never fire.`)
  }

  const bound = kind && BOUND_OPERATION[kind]
  if (bound) notFor('operations', `a ${kind} rule always affects ${bound} calls.`)
  if (kind === 'latency') {
    notFor('transient', 'latency only slows calls down and never fails them.')
    notFor('message', 'latency never fails a call.')
    const duration = raw.durationMs
    if (duration === undefined) problemByField.set('durationMs', `The property '${at('durationMs')}' is required: the time each step takes, in milliseconds.`)
    else if (!isSound('durationMs') || (typeof duration === 'number' && duration > MAX_LATENCY_MS))
      problemByField.set('durationMs', `The value of '${at('durationMs')}' ${durationProblem(MAX_LATENCY_MS)}`)
  } else if (kind && kind !== 'hang') notFor('durationMs', 'only latency and hang rules take time.')
  // Without a kind there is no telling which durations are right; the kind's own problem says what to fix.
  else if (!kind) problemByField.delete('durationMs')

  if (problemByField.size > 0 || !sound) {
    // In the order the rule is read: unknown properties first, then the schema's.
    const order = Object.keys(properties)
    const rank = (field: string) => order.indexOf(field)
    const problems = [...problemByField].sort(([a], [b]) => rank(a) - rank(b))
    return { ok: false, problems: problems.map(([field, message]) => ({ target: at(field), message })) }
  }
  const rule: FaultRuleSpec = {
    kind: raw.kind,
    cluster,
    extensionType: raw.extensionType?.trim().toLowerCase() ?? null,
    operations: bound ? [] : DRIVER_OPERATIONS.filter((op) => raw.operations?.includes(op)),
    transient: raw.transient ?? raw.kind === 'unreachable',
    probability: raw.probability ?? 1,
    remainingCalls: raw.remainingCalls ?? null,
    durationMs: raw.durationMs ?? (raw.kind === 'hang' ? DEFAULT_HANG_MS : null),
    message: raw.message?.trim() ?? null,
  }
  return { ok: true, id: raw.id, rule }
}
