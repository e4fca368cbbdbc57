// Internal model shared by api/ and workers/. Wire spellings live only in api/versions.

export const TERMINAL_STATES = ['Succeeded', 'Failed', 'Canceled'] as const
export type TerminalState = (typeof TERMINAL_STATES)[number]
// Operation status is InProgress or a TerminalState (docs/arm-rules.md rule 40); `operations.status` has a CHECK constraint with
// the same values.

export function isTerminal(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state)
}

/**
 * Every operation kind; `operations.kind` and `operation_outbox.kind` have a CHECK constraint with the same list.
 * extension.upgrade: an auto-upgrade started by the worker's sweep, not by a request.
 * extension.rollback: POST …/rollback, back to the last known good version and settings.
 * extension.repair: the drift observer re-applying the last known good release (DRIFT_REPAIR=repair).
 * extension.cleanup: the best-effort uninstall after a `forceDelete=true` DELETE removed the resource at once; internal,
 * seen only by operators (GET /admin/operations), never by ARM clients.
 */
export const OPERATION_KINDS = [
  'extension.install',
  'extension.update',
  'extension.upgrade',
  'extension.rollback',
  'extension.repair',
  'extension.delete',
  'extension.cleanup',
  'cluster.delete',
] as const
export type OperationKind = (typeof OPERATION_KINDS)[number]

/** Narrows a kind read from Postgres; the CHECK constraint makes a failure here a sign of a schema mismatch. */
export function parseOperationKind(kind: string): OperationKind {
  if ((OPERATION_KINDS as readonly string[]).includes(kind)) return kind as OperationKind
  throw new Error(`unknown operation kind "${kind}"`)
}

/** ARM ErrorDetail (common-types v2). */
export interface ErrorDetail {
  code: string
  message: string
  target?: string
  details?: ErrorDetail[]
  additionalInfo?: { type: string; info: Record<string, unknown> }[]
}

export type StatusLevel = 'Error' | 'Warning' | 'Information'

/** One entry of an extension's `statuses[]`. */
export interface ExtensionStatus {
  code: string
  displayStatus: string
  level: StatusLevel
  message: string
  time: string
}

export type ExtensionScope = { kind: 'cluster'; releaseNamespace: string | null } | { kind: 'namespace'; targetNamespace: string | null }

/** A user-assigned identity an extension uses: its ARM id maps to the ids Azure reports for it. */
export interface UserAssignedIdentity {
  principalId: string
  clientId: string
}

export type ManagedIdentity =
  | { type: 'SystemAssigned'; principalId: string; tenantId: string }
  /** api-version 2025-03-01: keys are Microsoft.ManagedIdentity/userAssignedIdentities ids as the caller wrote them. */
  | { type: 'UserAssigned'; userAssignedIdentities: Record<string, UserAssignedIdentity> }

export interface Plan {
  name: string
  publisher: string
  product: string
  promotionCode?: string
  version?: string
}

export interface AksAssignedIdentity {
  /** Workload: api-version 2025-03-01 only. */
  type: 'SystemAssigned' | 'UserAssigned' | 'Workload'
  principalId: string
  tenantId: string
}

/** What the caller asked for, in internal form. Secrets are never part of it. */
export interface ExtensionSpec {
  extensionType: string
  autoUpgradeMinorVersion: boolean
  releaseTrain: string
  version: string | null
  scope: ExtensionScope | null
  configurationSettings: Record<string, string>
  identity: ManagedIdentity | null
  plan: Plan | null
  aksAssignedIdentity: AksAssignedIdentity | null
  /** api-version 2025-03-01 and later; absent on extensions written with older versions. */
  autoUpgradeMode?: AutoUpgradeMode | null
  managedBy?: string | null
}

export type AutoUpgradeMode = 'none' | 'patch' | 'compatible'

/** Who made a change (systemData *By / *ByType, docs/arm-rules.md rule 53). */
export interface Caller {
  id: string
  type: 'User' | 'Application' | 'ManagedIdentity' | 'Key'
}

/** The cluster facts the registry accepts, since no agent reports them here. */
export interface ClusterFacts {
  distribution: string | null
  infrastructure: string | null
  kubernetesVersion: string | null
  totalNodeCount: number | null
  architecture: string | null
}
