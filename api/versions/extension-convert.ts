// The only code that knows both the wire and the internal spelling of an Extension. Responses are built only
// here, from fields that never include configurationProtectedSettings (ARM-CONTRACT 26).
import { randomUUID } from 'node:crypto'
import type { Extension } from '../../core/db/generated/client.js'
import type { ErrorDetail, ExtensionScope, ExtensionSpec, ExtensionStatus, Plan } from '../../core/domain/model.js'
import type { ExtensionApiVersion } from './extension-api-versions.js'

export const EXTENSION_RESOURCE_TYPE = 'Microsoft.KubernetesConfiguration/extensions'

/** Tenant reported for system-assigned identities; a real deployment sets AZURE_TENANT_ID. */
const TENANT_ID = process.env.AZURE_TENANT_ID ?? '72f988bf-86f1-41af-91ab-2d7cd011db47'

export interface ExtensionPutBody {
  identity?: { type?: 'SystemAssigned' } | null
  plan?: Plan | null
  properties: {
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
 * replace does not rotate them.
 */
export function extensionSpecFromPut(body: ExtensionPutBody, previous: ExtensionSpec | null): ExtensionSpec {
  const p = body.properties
  const identityType = body.identity?.type
  return {
    extensionType: p.extensionType ?? previous?.extensionType ?? '',
    autoUpgradeMinorVersion: p.autoUpgradeMinorVersion ?? true,
    releaseTrain: p.releaseTrain ?? 'Stable',
    version: p.version ?? null,
    scope: scopeFromWire(p.scope),
    configurationSettings: p.configurationSettings ?? {},
    identity: identityType
      ? { type: identityType, principalId: previous?.identity?.principalId ?? randomUUID(), tenantId: TENANT_ID }
      : null,
    plan: body.plan ?? null,
    aksAssignedIdentity: p.aksAssignedIdentity?.type
      ? { type: p.aksAssignedIdentity.type, principalId: previous?.aksAssignedIdentity?.principalId ?? randomUUID(), tenantId: TENANT_ID }
      : null,
  }
}

function scopeToWire(scope: ExtensionScope | null): Record<string, unknown> | undefined {
  if (!scope) return undefined
  return scope.kind === 'namespace'
    ? { namespace: { targetNamespace: scope.targetNamespace } }
    : { cluster: { releaseNamespace: scope.releaseNamespace } }
}

export function extensionToWire(row: Extension, version: ExtensionApiVersion): Record<string, unknown> {
  const spec = row.spec as unknown as ExtensionSpec
  const properties: Record<string, unknown> = {
    extensionType: spec.extensionType,
    autoUpgradeMinorVersion: spec.autoUpgradeMinorVersion,
    releaseTrain: spec.releaseTrain,
    version: spec.version,
    scope: scopeToWire(spec.scope),
    configurationSettings: spec.configurationSettings,
    provisioningState: row.provisioningState,
    statuses: row.statuses as unknown as ExtensionStatus[],
    errorInfo: (row.errorInfo as unknown as ErrorDetail | null) ?? null,
    customLocationSettings: null,
    packageUri: null,
    aksAssignedIdentity: spec.aksAssignedIdentity,
  }
  if (version.installedVersionField) properties[version.installedVersionField] = row.currentVersion
  if (version.hasPlanAndSystemFlag) properties.isSystemExtension = false
  const resource: Record<string, unknown> = {
    id: row.resourceId,
    name: row.name,
    type: EXTENSION_RESOURCE_TYPE,
    systemData: {
      createdBy: row.createdBy,
      createdByType: row.createdByType,
      createdAt: row.createdAt.toISOString(),
      lastModifiedBy: row.lastModifiedBy,
      lastModifiedByType: row.lastModifiedByType,
      lastModifiedAt: row.lastModifiedAt.toISOString(),
    },
    properties,
  }
  if (spec.identity) resource.identity = spec.identity
  if (version.hasPlanAndSystemFlag && spec.plan) resource.plan = spec.plan
  return resource
}
