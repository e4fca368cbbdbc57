// The only code that knows both the wire and the internal spelling of an Extension. Responses are built only
// here, from fields that never include configurationProtectedSettings (docs/arm-rules.md rule 26).
import { systemDataToWire } from '../arm/system-data.js'
import { extensionDocument, type Extension } from '../../core/store/extensions.js'
import type { AutoUpgradeMode, ExtensionScope, ExtensionSpec, Plan } from '../../core/domain/model.js'
import type { ExtensionApiVersion } from './extension-api-versions.js'
import { mergeStringMap } from '../arm/merge-patch.js'
import { autoUpgradeReach } from '../../core/domain/auto-upgrade.js'
import { driftOf } from '../../core/domain/drift.js'
import { settleAutoUpgrade } from './auto-upgrade-settings.js'
import { aksIdentityFromWire, aksIdentityToWire, identityAfterPatch, identityFromWire, identityToWire, laterVersionIdentityTarget, type WireIdentity } from './extension-identity.js'

export const EXTENSION_RESOURCE_TYPE = 'Microsoft.KubernetesConfiguration/extensions'

export interface ExtensionPutBody {
  identity?: WireIdentity | null
  plan?: Plan | null
  managedBy?: string | null
  properties: {
    autoUpgradeMode?: AutoUpgradeMode | null
    extensionType?: string
    autoUpgradeMinorVersion?: boolean
    releaseTrain?: string
    version?: string | null
    scope?: { cluster?: { releaseNamespace?: string | null } | null; namespace?: { targetNamespace?: string | null } | null }
    configurationSettings?: Record<string, string> | null
    configurationProtectedSettings?: Record<string, string> | null
    provisioningState?: string
    aksAssignedIdentity?: { type?: 'SystemAssigned' | 'UserAssigned' | 'Workload' } | null
  }
}

function scopeFromWire(scope: ExtensionPutBody['properties']['scope']): ExtensionScope | null {
  if (!scope) return null
  if (scope.namespace) return { kind: 'namespace', targetNamespace: scope.namespace.targetNamespace ?? null }
  if (scope.cluster) return { kind: 'cluster', releaseNamespace: scope.cluster.releaseNamespace ?? null }
  return null
}

/**
 * Internal desired state from a PUT body. Server-assigned identity ids are kept from the previous state so a
 * replace does not rotate them; `tenantId` is the tenant reported for them (AZURE_TENANT_ID).
 */
export function extensionSpecFromPut(body: ExtensionPutBody, previous: ExtensionSpec | null, tenantId: string, version: ExtensionApiVersion): ExtensionSpec {
  const p = body.properties
  // A PUT replaces: what it leaves out takes its default, except the mode, which older api-versions cannot send.
  const upgrade = settleAutoUpgrade({
    sent: { mode: p.autoUpgradeMode, minor: p.autoUpgradeMinorVersion, version: p.version },
    stored: { mode: previous?.autoUpgradeMode ?? null, minor: true, version: null },
  })
  return {
    extensionType: p.extensionType ?? previous?.extensionType ?? '',
    autoUpgradeMinorVersion: upgrade.autoUpgradeMinorVersion,
    releaseTrain: p.releaseTrain ?? 'Stable',
    version: upgrade.version,
    scope: scopeFromWire(p.scope),
    configurationSettings: p.configurationSettings ?? {},
    // An older version cannot show or send a user-assigned identity or the Workload type: its GET-modify-PUT keeps them.
    identity:
      !version.hasAutoUpgradeMode && body.identity === undefined && previous?.identity?.type === 'UserAssigned'
        ? previous.identity
        : identityFromWire(body.identity, previous?.identity ?? null, tenantId),
    plan: body.plan ?? null,
    autoUpgradeMode: upgrade.autoUpgradeMode,
    // Set only by the managing service (the operator endpoint stands in for it); users never send it (docs/arm-rules.md rule 60).
    managedBy: previous?.managedBy ?? null,
    aksAssignedIdentity:
      !version.hasAutoUpgradeMode && !p.aksAssignedIdentity && previous?.aksAssignedIdentity?.type === 'Workload'
        ? previous.aksAssignedIdentity
        : aksIdentityFromWire(p.aksAssignedIdentity?.type, previous?.aksAssignedIdentity ?? null, tenantId),
  }
}

function scopeToWire(scope: ExtensionScope | null): Record<string, unknown> | undefined {
  if (!scope) return undefined
  return scope.kind === 'namespace' ? { namespace: { targetNamespace: scope.targetNamespace } } : { cluster: { releaseNamespace: scope.releaseNamespace } }
}

export function extensionToWire(row: Extension, version: ExtensionApiVersion): Record<string, unknown> {
  const { spec, statuses, errorInfo } = extensionDocument(row)
  const properties: Record<string, unknown> = {
    extensionType: spec.extensionType,
    autoUpgradeMinorVersion: spec.autoUpgradeMinorVersion,
    releaseTrain: spec.releaseTrain,
    version: spec.version,
    scope: scopeToWire(spec.scope),
    configurationSettings: spec.configurationSettings,
    provisioningState: row.provisioningState,
    statuses,
    errorInfo,
    customLocationSettings: null,
    packageUri: null,
    aksAssignedIdentity: aksIdentityToWire(spec.aksAssignedIdentity, version),
  }
  if (version.installedVersionField) properties[version.installedVersionField] = row.currentVersion
  if (version.hasPlanAndSystemFlag) properties.isSystemExtension = false
  if (version.hasAutoUpgradeMode) {
    // Extensions written before 2025-03-01 have no mode: they show the one their autoUpgradeMinorVersion behaves as.
    properties.autoUpgradeMode = spec.autoUpgradeMode ?? (autoUpgradeReach(spec) === 'none' ? 'none' : 'compatible')
    properties.managementDetails = spec.managedBy ? managementDetails(spec.managedBy) : null
    properties.additionalDetails = null
    properties.extensionState = extensionState(row)
  }
  const resource: Record<string, unknown> = {
    id: row.resourceId,
    name: row.name,
    type: EXTENSION_RESOURCE_TYPE,
    systemData: systemDataToWire(row),
    properties,
  }
  const identity = identityToWire(spec.identity, version)
  if (identity) resource.identity = identity
  if (version.hasPlanAndSystemFlag && spec.plan) resource.plan = spec.plan
  if (version.hasAutoUpgradeMode && spec.managedBy) resource.managedBy = spec.managedBy
  return resource
}

/**
 * The first field of a PUT body that only later api-versions define (autoUpgradeMode, managedBy: 2025-03-01), as a
 * JSON path; null when the body fits the version. Sent at an older version they would otherwise be stored unseen.
 */
export function laterVersionPutTarget(body: ExtensionPutBody, version: ExtensionApiVersion): string | null {
  if (version.hasAutoUpgradeMode) return null
  if (body.properties.autoUpgradeMode !== undefined) return 'properties.autoUpgradeMode'
  if (body.managedBy !== undefined) return 'managedBy'
  return laterVersionIdentityTarget(body.identity, body.properties.aksAssignedIdentity?.type)
}

/**
 * `extensionState` is not in the 2025-03-01 swagger; its GetExtensionWithExtensionState example shows `Ready` for an
 * installed extension. arcext derives it from provisioningState (docs/arm-rules.md rule 59): `Ready` once Succeeded,
 * `Failed` after a failed or canceled operation, `Pending` while one runs; and `Drifted` for a Succeeded extension
 * whose release the drift observer found changed behind arcext's back (core/domain/drift.ts), so a client that reads
 * only extensionState does not take a drifted release for a ready one.
 */
function extensionState(row: Pick<Extension, 'provisioningState' | 'drift'>): 'Ready' | 'Drifted' | 'Failed' | 'Pending' {
  if (row.provisioningState === 'Succeeded') return driftOf(row) ? 'Drifted' : 'Ready'
  return row.provisioningState === 'Failed' || row.provisioningState === 'Canceled' ? 'Failed' : 'Pending'
}

/** Who may do what with a managed extension, in the words of 2025-03-01 GetExtensionWithManagedBy.json. */
function managementDetails(managedBy: string): Record<string, unknown> {
  const namespace = /\/providers\/([^/]+)\//i.exec(managedBy)?.[1] ?? managedBy
  return {
    category: 'managed',
    accessDetails: [
      { entity: namespace, allowedActions: ['Read', 'Write'], description: ` ${namespace} is only allowed to PUT/PATCH this extension instance.` },
      { entity: 'Users', allowedActions: ['Read'], description: 'Users are allowed to only READ though Extensions RP.' },
    ],
  }
}

export interface ExtensionPatchBody {
  /** api-version 2025-03-01 only. */
  identity?: WireIdentity | null
  properties?: {
    autoUpgradeMode?: AutoUpgradeMode | null
    autoUpgradeMinorVersion?: boolean
    releaseTrain?: string
    version?: string | null
    configurationSettings?: Record<string, string | null> | null
    configurationProtectedSettings?: Record<string, string | null> | null
  }
}

/** The only properties a PATCH may carry (swagger `patchExtension`, docs/arm-rules.md rule 30). */
export const PATCHABLE_PROPERTIES = ['autoUpgradeMode', 'autoUpgradeMinorVersion', 'releaseTrain', 'version', 'configurationSettings', 'configurationProtectedSettings'] as const

/** The properties a PATCH may carry at this api-version (autoUpgradeMode only where the version has it). */
export function patchablePropertiesFor(version: ExtensionApiVersion): readonly string[] {
  return version.hasAutoUpgradeMode ? PATCHABLE_PROPERTIES : PATCHABLE_PROPERTIES.filter((p) => p !== 'autoUpgradeMode')
}

/** The first property a PATCH body names that it may not change, as a JSON path; null when all are patchable. */
export function immutablePatchTarget(body: Record<string, unknown>, version: ExtensionApiVersion): string | null {
  const patchable = patchablePropertiesFor(version)
  for (const key of Object.keys(body)) {
    if (key !== 'properties' && !(key === 'identity' && version.hasAutoUpgradeMode)) return key
  }
  const properties = body.properties
  if (properties === undefined || properties === null) return null
  for (const key of Object.keys(properties)) {
    if (!patchable.includes(key)) return `properties.${key}`
  }
  return null
}

export function extensionSpecFromPatch(current: ExtensionSpec, patch: ExtensionPatchBody, tenantId: string): ExtensionSpec {
  const p = patch.properties ?? {}
  const upgrade = settleAutoUpgrade({
    sent: { mode: p.autoUpgradeMode, minor: p.autoUpgradeMinorVersion, version: p.version },
    stored: { mode: current.autoUpgradeMode ?? null, minor: current.autoUpgradeMinorVersion, version: current.version },
  })
  const modeChanged = upgrade.autoUpgradeMode !== (current.autoUpgradeMode ?? null)
  return {
    ...current,
    autoUpgradeMinorVersion: upgrade.autoUpgradeMinorVersion,
    // Left absent when unchanged, so a no-op PATCH of an extension written before 2025-03-01 stays a no-op.
    ...(modeChanged ? { autoUpgradeMode: upgrade.autoUpgradeMode } : {}),
    releaseTrain: p.releaseTrain ?? current.releaseTrain,
    version: upgrade.version,
    configurationSettings: mergeStringMap(current.configurationSettings, p.configurationSettings),
    identity: patch.identity !== undefined ? identityAfterPatch(current.identity, patch.identity, tenantId) : current.identity,
  }
}
