// What a PUT or PATCH of an extension would do, answered without changing anything: the planners the PUT and PATCH
// routes accept through (extension-plan.ts) judge the body, and this module only reads and describes.
import type { RuleViolation } from '../../core/catalog/index.js'
import { defaultCatalog, planVersion } from '../../core/catalog/index.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { OperationInProgressError } from '../../core/domain/errors.js'
import type { Cluster } from '../../core/store/clusters.js'
import { extensionDocument, type Extension, type InstalledExtension } from '../../core/store/extensions.js'
import type { ArmError } from '../arm/errors.js'
import { toArmError } from '../arm/error-envelope.js'
import type { ExtensionPlan } from './extension-plan.js'

export type WhatIfOperation = 'install' | 'upgrade' | 'reconfigure' | 'none'

interface WhatIfViolation {
  code: string
  message: string
  target?: string
  status: number
}

interface PropertyChange {
  property: string
  before: unknown
  after: unknown
}

interface SettingChange {
  key: string
  change: 'added' | 'removed' | 'modified'
  before?: string
  after?: string
}

interface ProtectedSettingChange {
  key: string
  /** Never a value: protected settings are secrets. `changed` also when the stored ones cannot be opened any more. */
  change: 'added' | 'removed' | 'changed' | 'unchanged'
}

export interface WhatIfResult {
  method: 'PUT' | 'PATCH'
  /** Whether the request would be accepted, and the status it would be answered with. */
  accepted: boolean
  status: number
  /** What the accepted request does to the release; 'none' when it would be refused or changes nothing. */
  operation: WhatIfOperation
  /** Whether the request would start an asynchronous operation (a PUT always does, even one that changes nothing). */
  startsOperation: boolean
  installedVersion: string | null
  /** The version the operation would leave installed; null when refused. */
  resolvedVersion: string | null
  changes: { properties: PropertyChange[]; configurationSettings: SettingChange[]; configurationProtectedSettings: ProtectedSettingChange[] }
  /** Every rule the request breaks, in the order the request would list them; empty when accepted. */
  violations: WhatIfViolation[]
}

/** Key order of a stored (jsonb) spec is not the order it was written in, so specs are compared canonically. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

const SPEC_PROPERTIES: { key: keyof ExtensionSpec; path: string }[] = [
  { key: 'extensionType', path: 'properties.extensionType' },
  { key: 'autoUpgradeMinorVersion', path: 'properties.autoUpgradeMinorVersion' },
  { key: 'autoUpgradeMode', path: 'properties.autoUpgradeMode' },
  { key: 'releaseTrain', path: 'properties.releaseTrain' },
  { key: 'version', path: 'properties.version' },
  { key: 'scope', path: 'properties.scope' },
  { key: 'plan', path: 'plan' },
  { key: 'identity', path: 'identity' },
  { key: 'aksAssignedIdentity', path: 'properties.aksAssignedIdentity' },
  { key: 'managedBy', path: 'managedBy' },
]

function propertyChanges(before: ExtensionSpec | null, after: ExtensionSpec): PropertyChange[] {
  return SPEC_PROPERTIES.filter(({ key }) => canonical(before?.[key] ?? null) !== canonical(after[key] ?? null)).map(({ key, path }) => ({
    property: path,
    before: before?.[key] ?? null,
    after: after[key] ?? null,
  }))
}

function settingChanges(before: Record<string, string>, after: Record<string, string>): SettingChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  return keys.flatMap((key): SettingChange[] => {
    if (!(key in before)) return [{ key, change: 'added', after: after[key] }]
    if (!(key in after)) return [{ key, change: 'removed', before: before[key] }]
    return before[key] === after[key] ? [] : [{ key, change: 'modified', before: before[key], after: after[key] }]
  })
}

function protectedChanges(before: Record<string, string> | null, after: Record<string, string> | null): ProtectedSettingChange[] {
  const was = before ?? {}
  const now = after ?? was
  const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()
  return keys.map((key) => ({
    key,
    change: !(key in was) ? 'added' : !(key in now) ? 'removed' : before === null || was[key] !== now[key] ? 'changed' : 'unchanged',
  }))
}

function fromViolation(violation: RuleViolation): WhatIfViolation {
  return { code: violation.rule, message: violation.message, target: violation.target, status: violation.status }
}

function fromArmError(error: ArmError): WhatIfViolation[] {
  const first = { code: error.code, message: error.message, ...(error.target !== undefined ? { target: error.target } : {}), status: error.statusCode }
  const rest = (error.details ?? []).slice(1).map((detail) => ({ ...detail, status: error.statusCode }))
  return [first, ...rest]
}

/** The status assertNoViolations answers a refused request with: 409 only when every violation is a conflict. */
function refusalStatus(violations: WhatIfViolation[]): number {
  return violations.every((v) => v.status === 409) ? 409 : (violations[0]?.status ?? 400)
}

/** The prediction for a request refused before any rule could judge it (its body, its preconditions). */
export function whatIfRefused(method: 'PUT' | 'PATCH', current: Extension | null, error: ArmError): WhatIfResult & { resource: null } {
  const violations = fromArmError(error)
  const changes = { properties: [], configurationSettings: [], configurationProtectedSettings: [] }
  return {
    method,
    accepted: false,
    status: error.statusCode,
    operation: 'none',
    startsOperation: false,
    installedVersion: current?.currentVersion ?? null,
    resolvedVersion: null,
    changes,
    violations,
    resource: null,
  }
}

export interface WhatIfInput {
  method: 'PUT' | 'PATCH'
  current: Extension | null
  cluster: Cluster
  clusterType: string
  plan: ExtensionPlan
  /** The PATCH would change nothing and answer 200 without an operation (docs/arm-rules.md rule 27). */
  noOp: boolean
  installed: InstalledExtension[]
  /** The stored protected settings, or null when they cannot be opened. */
  storedProtected: Record<string, string> | null
}

/**
 * The prediction for a planned request: refused in the order the store refuses (the catalog's rules, then an
 * operation in flight, then a cluster being deleted), else the operation, the version it resolves and what changes.
 */
export function predict(input: WhatIfInput): WhatIfResult {
  const { method, current, plan } = input
  const currentSpec = current ? extensionDocument(current).spec : null
  const installedVersion = current?.currentVersion ?? null
  const violations = input.noOp ? [] : plan.violations(input.cluster, input.clusterType, input.installed).map(fromViolation)
  if (violations.length === 0 && !input.noOp && current?.activeOperationId) violations.push(inProgress(current.resourceId, current.activeOperationId))
  // The cluster's deletion operation is not read here: its id is the only part of the refusal a what-if leaves out.
  if (violations.length === 0 && !input.noOp && input.cluster.provisioningState === 'Deleting') violations.push(inProgress(input.cluster.resourceId, null))
  const protectedAfter = plan.protectedSettingsSent === undefined ? input.storedProtected : (plan.protectedSettingsSent ?? {})
  const changes = {
    properties: propertyChanges(currentSpec, plan.spec),
    configurationSettings: settingChanges(currentSpec?.configurationSettings ?? {}, plan.spec.configurationSettings),
    configurationProtectedSettings: protectedChanges(current ? input.storedProtected : {}, protectedAfter),
  }
  if (violations.length > 0) {
    return { method, accepted: false, status: refusalStatus(violations), operation: 'none', startsOperation: false, installedVersion, resolvedVersion: null, changes, violations }
  }
  const type = defaultCatalog().findType(plan.spec.extensionType)
  const resolvedVersion = type ? planVersion(type, plan.spec, installedVersion) : null
  const changed = changes.properties.length > 0 || changes.configurationSettings.length > 0 || changes.configurationProtectedSettings.some((c) => c.change !== 'unchanged')
  const operation: WhatIfOperation = input.noOp ? 'none' : installedVersion === null ? 'install' : resolvedVersion !== installedVersion ? 'upgrade' : changed ? 'reconfigure' : 'none'
  const status = method === 'PATCH' ? (input.noOp ? 200 : 202) : current ? 200 : 201
  return { method, accepted: true, status, operation, startsOperation: !input.noOp, installedVersion, resolvedVersion, changes, violations }
}

/** As toArmError (api/arm/error-envelope.ts) answers the store's OperationInProgressError. */
function inProgress(resourceId: string, operationId: string | null): WhatIfViolation {
  const [violation] = fromArmError(toArmError(new OperationInProgressError(resourceId, operationId)) as ArmError)
  return violation as WhatIfViolation
}

/** The extension as the GET right after the accepted request would show it (before its operation ends). */
export function storedAfter(input: {
  current: Extension | null
  plan: ExtensionPlan
  noOp: boolean
  cluster: Cluster
  resourceId: string
  idKey: string
  caller: { id: string; type: string }
}): Extension {
  const { current, plan, caller } = input
  if (current && input.noOp) return current
  const now = new Date()
  const spec = plan.spec as unknown as Extension['spec']
  if (current) return { ...current, spec, provisioningState: 'Updating', errorInfo: null, lastModifiedBy: caller.id, lastModifiedByType: caller.type, lastModifiedAt: now }
  return {
    id: '',
    idKey: input.idKey,
    resourceId: input.resourceId,
    clusterId: input.cluster.id,
    name: plan.name,
    nameKey: plan.name.toLowerCase(),
    extensionType: plan.spec.extensionType,
    spec,
    protectedSettingsSealed: null,
    currentVersion: null,
    provisioningState: 'Creating',
    statuses: [],
    errorInfo: null,
    activeOperationId: null,
    lastGood: null,
    lastGoodProtectedSettingsSealed: null,
    drift: null,
    driftCheckedAt: null,
    etag: '',
    createdBy: caller.id,
    createdByType: caller.type,
    createdAt: now,
    lastModifiedBy: caller.id,
    lastModifiedByType: caller.type,
    lastModifiedAt: now,
  }
}
