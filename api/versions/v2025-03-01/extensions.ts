// extensions at 2025-03-01: the newest registered version; adds autoUpgradeMode, managedBy, managementDetails,
// additionalDetails, extensionState, user-assigned identities (also in PATCH) and the Workload aksAssignedIdentity
// (docs/arm-rules.md rules 58-60). A PUT here sees every identity, so it keeps nothing unseen.
import { defaultCatalog } from '../../../core/catalog/index.js'
import { autoUpgradeReach } from '../../../core/domain/auto-upgrade.js'
import { driftOf } from '../../../core/domain/drift.js'
import type { Extension } from '../../../core/store/extensions.js'
import { extensionSpecFromPut } from '../extension-convert.js'
import { ALL_IDENTITIES_VIEW } from '../extension-identity.js'
import { COMMON_PATCH_PROPERTIES, COMMON_PUT_PROPERTIES, aksAssignedIdentity, autoUpgradeMode, identity, patchBody, plan, putBody } from '../extension-request-schemas.js'
import type { ExtensionVersionDefinition } from '../extension-version.js'
import { planWire } from '../v2022-11-01/extensions.js'
import { extensions as v20241101 } from '../v2024-11-01/extensions.js'

const IDENTITY = identity(['SystemAssigned', 'UserAssigned'])

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

export const extensions: ExtensionVersionDefinition = {
  ...v20241101,
  version: '2025-03-01',
  putSchema: putBody(
    // managedBy is writable in the swagger, but only the managing service sets it (extension-static-checks.ts).
    { identity: IDENTITY, plan, managedBy: { type: 'string' } },
    { ...COMMON_PUT_PROPERTIES, autoUpgradeMode, aksAssignedIdentity: aksAssignedIdentity(['SystemAssigned', 'UserAssigned', 'Workload']) },
  ),
  patchSchema: patchBody({ identity: IDENTITY }, { autoUpgradeMode, ...COMMON_PATCH_PROPERTIES }),
  // A PUT here replaces the mode too: left out, it takes the swagger's default `compatible`, as Azure stores it (so a
  // later PATCH sending `compatible` changes nothing); a pinned version without a mode still stores `none`.
  specFromPut: (body, previous, tenantId) => {
    const p = body.properties
    const autoUpgradeMode = p.autoUpgradeMode ?? (typeof p.version === 'string' ? undefined : 'compatible')
    return extensionSpecFromPut({ ...body, properties: { ...p, autoUpgradeMode } }, previous, tenantId)
  },
  toWire: (row) => {
    const { spec, properties, resource } = planWire(row, ALL_IDENTITIES_VIEW)
    // Extensions written before 2025-03-01 have no mode: they show the one their autoUpgradeMinorVersion behaves as.
    properties.autoUpgradeMode = spec.autoUpgradeMode ?? (autoUpgradeReach(spec) === 'none' ? 'none' : 'compatible')
    properties.managementDetails = spec.managedBy ? managementDetails(spec.managedBy) : null
    // The publisher's links for the type (catalog); null for a type whose publisher gives none, or that left the catalog.
    properties.additionalDetails = defaultCatalog().findType(spec.extensionType)?.additionalDetails ?? null
    properties.extensionState = extensionState(row)
    // An extension given user-assigned identities uses them through workload identity in the cluster: Azure's
    // CreateExtensionWithIdentity example answers aksAssignedIdentity Workload though the request sends none.
    if (!properties.aksAssignedIdentity && spec.identity?.type === 'UserAssigned') properties.aksAssignedIdentity = { type: 'Workload' }
    if (spec.managedBy) resource.managedBy = spec.managedBy
    return resource
  },
}
