// The pieces of an Extension's wire shape every api-version shares; each version (v{version}/extensions.ts) composes
// them into its own converter. Responses are built only from these, from fields that never include
// configurationProtectedSettings (docs/arm-rules.md rule 26).
import { systemDataToWire } from '../arm/system-data.js'
import { extensionDocument, type Extension } from '../../core/store/extensions.js'
import type { AutoUpgradeMode, ExtensionScope, ExtensionSpec, Plan } from '../../core/domain/model.js'
import { mergeStringMap } from '../arm/merge-patch.js'
import { settleAutoUpgrade } from './auto-upgrade-settings.js'
import { aksIdentityFromWire, identityAfterPatch, identityFromWire, type IdentityView, type WireIdentity } from './extension-identity.js'

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
 * Internal desired state from a PUT body, in the newest shape (older versions keep what they cannot show: see
 * v2021-09-01/extensions.ts). Server-assigned identity ids are kept from the previous state so a replace does not
 * rotate them; `tenantId` is the tenant reported for them (the caller's).
 */
export function extensionSpecFromPut(body: ExtensionPutBody, previous: ExtensionSpec | null, tenantId: string): ExtensionSpec {
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
    identity: identityFromWire(body.identity, previous?.identity ?? null, tenantId),
    plan: body.plan ?? null,
    autoUpgradeMode: upgrade.autoUpgradeMode,
    // Set only by the managing service (the operator endpoint stands in for it); users never send it (docs/arm-rules.md rule 60).
    managedBy: previous?.managedBy ?? null,
    aksAssignedIdentity: aksIdentityFromWire(p.aksAssignedIdentity?.type, previous?.aksAssignedIdentity ?? null, tenantId),
  }
}

function scopeToWire(scope: ExtensionScope | null): Record<string, unknown> | undefined {
  if (!scope) return undefined
  return scope.kind === 'namespace' ? { namespace: { targetNamespace: scope.targetNamespace } } : { cluster: { releaseNamespace: scope.releaseNamespace } }
}

/** A resource on its way to the wire: versions add their own fields to `properties` and `resource` in turn. */
export interface WireExtension {
  spec: ExtensionSpec
  properties: Record<string, unknown>
  resource: Record<string, unknown>
}

/** The fields every api-version answers, with the identities `view` lets the version show. */
export function commonWire(row: Extension, view: IdentityView): WireExtension {
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
    aksAssignedIdentity: view.aksAssignedIdentity(spec.aksAssignedIdentity),
  }
  const resource: Record<string, unknown> = {
    id: row.resourceId,
    name: row.name,
    type: EXTENSION_RESOURCE_TYPE,
    systemData: systemDataToWire(row),
    properties,
  }
  const identity = view.identity(spec.identity)
  if (identity) resource.identity = identity
  return { spec, properties, resource }
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
