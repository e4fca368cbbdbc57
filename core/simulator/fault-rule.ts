// The fault-injection rule a caller writes (admin API body or one SIMULATED_FAULTS entry), checked and normalised
// in one place so the API and the environment variable accept exactly the same rules. Every problem is reported
// at once, each with the JSON path it concerns, so a rule can be fixed in one pass.
import { parseClusterResourceId, type ClusterResourceId } from '../store/cluster-resource-id.js'

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

const FIELDS = ['kind', 'clusterId', 'extensionType', 'operations', 'transient', 'probability', 'remainingCalls', 'durationMs', 'message'] as const

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

export function readFaultRule(raw: unknown, options: ReadFaultRuleOptions = {}): ReadFaultRuleResult {
  const prefix = options.path ?? ''
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field)
  const problems: FaultRuleProblem[] = []
  const problem = (field: string, message: string) => problems.push({ target: at(field), message })

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ target: prefix, message: 'A fault rule must be a JSON object.' }] }
  }
  const body = raw as Record<string, unknown>
  const allowed: readonly string[] = options.allowId ? ['id', ...FIELDS] : FIELDS
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) problem(key, `The property '${at(key)}' is not allowed here; allowed: ${allowed.join(', ')}.`)
  }

  let id: string | undefined
  if (options.allowId && body.id !== undefined) {
    if (typeof body.id === 'string' && isFaultId(body.id)) id = body.id
    else problem('id', `The value of '${at('id')}' must be ${FAULT_ID_RULE}.`)
  }

  const kind = body.kind
  if (kind === undefined) problem('kind', `The property '${at('kind')}' is required; one of ${FAULT_KINDS.join(', ')}.`)
  else if (!FAULT_KINDS.includes(kind as FaultKind)) problem('kind', `The value of '${at('kind')}' must be one of: ${FAULT_KINDS.join(', ')}.`)
  const validKind = FAULT_KINDS.includes(kind as FaultKind) ? (kind as FaultKind) : null
  const notFor = (field: string, why: string) => {
    if (body[field] !== undefined) problem(field, `The property '${at(field)}' is not used by ${validKind} rules: ${why}`)
  }

  let cluster: ClusterResourceId | null = null
  if (body.clusterId !== undefined && body.clusterId !== null) {
    if (typeof body.clusterId !== 'string') problem('clusterId', `The value of '${at('clusterId')}' must be a cluster resource id string.`)
    else {
      const parsed = parseClusterResourceId(body.clusterId)
      if ('problem' in parsed) problem('clusterId', parsed.problem)
      else cluster = parsed
    }
  }

  let extensionType: string | null = null
  if (body.extensionType !== undefined && body.extensionType !== null) {
    if (typeof body.extensionType !== 'string' || body.extensionType.trim() === '') {
      problem('extensionType', `The value of '${at('extensionType')}' must be an extension type name such as 'microsoft.flux'.`)
    } else if (options.isKnownExtensionType && !options.isKnownExtensionType(body.extensionType)) {
      problem('extensionType', `The extension type '${body.extensionType}' is not in the catalog, so a rule for it would never fire.`)
    } else {
      extensionType = body.extensionType.trim().toLowerCase()
    }
  }

  let operations: DriverOperation[] = []
  if (validKind && BOUND_OPERATION[validKind]) {
    notFor('operations', `a ${validKind} rule always affects ${BOUND_OPERATION[validKind]} calls.`)
  } else if (body.operations !== undefined) {
    const list = body.operations
    if (!Array.isArray(list) || list.length === 0 || !list.every((op) => DRIVER_OPERATIONS.includes(op as DriverOperation))) {
      problem('operations', `The value of '${at('operations')}' must be a non-empty array of: ${DRIVER_OPERATIONS.join(', ')}.`)
    } else {
      operations = DRIVER_OPERATIONS.filter((op) => list.includes(op))
    }
  }

  let transient = validKind === 'unreachable'
  if (validKind === 'latency') notFor('transient', 'latency only slows calls down and never fails them.')
  else if (body.transient !== undefined) {
    if (typeof body.transient === 'boolean') transient = body.transient
    else problem('transient', `The value of '${at('transient')}' must be true or false.`)
  }

  let probability = 1
  if (body.probability !== undefined) {
    if (typeof body.probability === 'number' && Number.isFinite(body.probability) && body.probability >= 0 && body.probability <= 1) {
      probability = body.probability
    } else problem('probability', `The value of '${at('probability')}' must be a number from 0 to 1.`)
  }

  let remainingCalls: number | null = null
  if (body.remainingCalls !== undefined && body.remainingCalls !== null) {
    if (Number.isSafeInteger(body.remainingCalls) && (body.remainingCalls as number) >= 1) remainingCalls = body.remainingCalls as number
    else problem('remainingCalls', `The value of '${at('remainingCalls')}' must be a whole number of at least 1, or null for no limit.`)
  }

  let durationMs: number | null = null
  const readDuration = (max: number) => {
    const value = body.durationMs
    if (Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max) durationMs = value as number
    else problem('durationMs', `The value of '${at('durationMs')}' must be a whole number of milliseconds from 0 to ${max}.`)
  }
  if (validKind === 'latency') {
    if (body.durationMs === undefined) problem('durationMs', `The property '${at('durationMs')}' is required: the time each step takes, in milliseconds.`)
    else readDuration(MAX_LATENCY_MS)
  } else if (validKind === 'hang') {
    if (body.durationMs === undefined) durationMs = DEFAULT_HANG_MS
    else readDuration(MAX_HANG_MS)
  } else if (validKind) {
    notFor('durationMs', 'only latency and hang rules take time.')
  }

  let message: string | null = null
  if (validKind === 'latency') notFor('message', 'latency never fails a call.')
  else if (body.message !== undefined && body.message !== null) {
    if (typeof body.message === 'string' && body.message.trim() !== '' && body.message.length <= MAX_MESSAGE_LENGTH) message = body.message.trim()
    else problem('message', `The value of '${at('message')}' must be a non-empty string of at most ${MAX_MESSAGE_LENGTH} characters.`)
  }

  if (problems.length || !validKind) return { ok: false, problems }
  return { ok: true, id, rule: { kind: validKind, cluster, extensionType, operations, transient, probability, remainingCalls, durationMs, message } }
}
