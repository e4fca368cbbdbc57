// The only code that knows both the wire and the internal spelling of an Extension. Responses are built only
// here, from fields that never include configurationProtectedSettings (docs/arm-rules.md rule 26).
import { systemDataToWire } from '../arm/system-data.js'
import { randomUUID } from 'node:crypto'
import { extensionDocument, type Extension } from '../../core/store/extensions.js'
import type { AutoUpgradeMode, ExtensionScope, ExtensionSpec, Plan } from '../../core/domain/model.js'
import type { ExtensionApiVersion } from './extension-api-versions.js'
import { mergeStringMap } from '../arm/merge-patch.js'

export const EXTENSION_RESOURCE_TYPE = 'Microsoft.KubernetesConfiguration/extensions'

export interface ExtensionPutBody {
  identity?: { type?: 'SystemAssigned' } | null
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
    aksAssignedIdentity?: { type?: 'SystemAssigned' | 'UserAssigned' } | null
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
export function extensionSpecFromPut(body: ExtensionPutBody, previous: ExtensionSpec | null, tenantId: string): ExtensionSpec {
  const p = body.properties
  const identityType = body.identity?.type
  return {
    extensionType: p.extensionType ?? previous?.extensionType ?? '',
    autoUpgradeMinorVersion: p.autoUpgradeMinorVersion ?? true,
    releaseTrain: p.releaseTrain ?? 'Stable',
    version: p.version ?? null,
    scope: scopeFromWire(p.scope),
    configurationSettings: p.configurationSettings ?? {},
    identity: identityType ? { type: identityType, principalId: previous?.identity?.principalId ?? randomUUID(), tenantId } : null,
    plan: body.plan ?? null,
    autoUpgradeMode: p.autoUpgradeMode ?? previous?.autoUpgradeMode ?? null,
    // managedBy is settable only at creation (swagger mutability read+create).
    managedBy: previous ? (previous.managedBy ?? null) : (body.managedBy ?? null),
    aksAssignedIdentity: p.aksAssignedIdentity?.type ? { type: p.aksAssignedIdentity.type, principalId: previous?.aksAssignedIdentity?.principalId ?? randomUUID(), tenantId } : null,
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
    aksAssignedIdentity: spec.aksAssignedIdentity,
  }
  if (version.installedVersionField) properties[version.installedVersionField] = row.currentVersion
  if (version.hasPlanAndSystemFlag) properties.isSystemExtension = false
  if (version.hasAutoUpgradeMode) {
    properties.autoUpgradeMode = spec.autoUpgradeMode ?? 'compatible'
    properties.managementDetails = null
    properties.additionalDetails = null
  }
  const resource: Record<string, unknown> = {
    id: row.resourceId,
    name: row.name,
    type: EXTENSION_RESOURCE_TYPE,
    systemData: systemDataToWire(row),
    properties,
  }
  if (spec.identity) resource.identity = spec.identity
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
  return null
}

export interface ExtensionPatchBody {
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
    if (key !== 'properties') return key
  }
  const properties = body.properties
  if (properties === undefined || properties === null) return null
  for (const key of Object.keys(properties)) {
    if (!patchable.includes(key)) return `properties.${key}`
  }
  return null
}

export function extensionSpecFromPatch(current: ExtensionSpec, patch: ExtensionPatchBody): ExtensionSpec {
  const p = patch.properties ?? {}
  return {
    ...current,
    autoUpgradeMinorVersion: p.autoUpgradeMinorVersion ?? current.autoUpgradeMinorVersion,
    ...(p.autoUpgradeMode !== undefined ? { autoUpgradeMode: p.autoUpgradeMode } : {}),
    releaseTrain: p.releaseTrain ?? current.releaseTrain,
    version: p.version !== undefined ? p.version : current.version,
    configurationSettings: mergeStringMap(current.configurationSettings, p.configurationSettings),
  }
}
