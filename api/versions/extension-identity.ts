// The extension's `identity` and `aksAssignedIdentity` on the wire: what each api-version accepts and shows
// (2025-03-01 adds user-assigned identities and the Workload type, docs/arm-rules.md rule 59).
import { createHash, randomUUID } from 'node:crypto'
import type { AksAssignedIdentity, ManagedIdentity, UserAssignedIdentity } from '../../core/domain/model.js'
import { ArmErrors } from '../arm/errors.js'

export interface WireIdentity {
  type?: 'SystemAssigned' | 'UserAssigned'
  userAssignedIdentities?: Record<string, unknown> | null
}

const USER_ASSIGNED_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i

/**
 * A GUID that stays the same for one identity (and `purpose`) across PUTs, extensions and restarts: Azure reports the
 * identity's own principal and client ids, which belong to the identity, not to the extension using it.
 */
function stableGuid(purpose: string, id: string): string {
  const hex = createHash('sha256').update(`${purpose}\n${id.toLowerCase()}`).digest('hex')
  // RFC 4122 layout (version 8, custom), so clients that parse GUIDs accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

/** Refuses an identity block a schema cannot judge: the map's keys and how it goes with the type. */
export function assertIdentityConsistent(identity: WireIdentity | null | undefined): void {
  if (!identity) return
  const map = identity.userAssignedIdentities
  if (identity.type === 'UserAssigned' && (!map || Object.keys(map).length === 0)) {
    throw ArmErrors.invalidRequestContent("identity.type 'UserAssigned' needs at least one identity in identity.userAssignedIdentities.", 'identity.userAssignedIdentities')
  }
  if (identity.type !== 'UserAssigned' && map && Object.keys(map).length > 0) {
    throw ArmErrors.invalidRequestContent("identity.userAssignedIdentities can be given only with identity.type 'UserAssigned'.", 'identity.userAssignedIdentities')
  }
  for (const id of Object.keys(map ?? {})) {
    if (!USER_ASSIGNED_ID.test(id)) {
      throw ArmErrors.invalidRequestContent(
        `'${id.slice(0, 300)}' is not the resource id of a user-assigned identity (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}).`,
        'identity.userAssignedIdentities',
      )
    }
  }
}

/** Internal identity from a PUT; a system-assigned principal id is kept from the previous state so a replace does not rotate it. */
export function identityFromWire(identity: WireIdentity | null | undefined, previous: ManagedIdentity | null, tenantId: string): ManagedIdentity | null {
  if (identity?.type === 'SystemAssigned') {
    return { type: 'SystemAssigned', principalId: previous?.type === 'SystemAssigned' ? previous.principalId : randomUUID(), tenantId }
  }
  if (identity?.type === 'UserAssigned') {
    const entries = Object.keys(identity.userAssignedIdentities ?? {}).map((id): [string, UserAssignedIdentity] => [
      id,
      { principalId: stableGuid('principal', id), clientId: stableGuid('client', id) },
    ])
    return { type: 'UserAssigned', userAssignedIdentities: Object.fromEntries(entries) }
  }
  return null
}

/**
 * The identity after a PATCH (2025-03-01 patchExtension has `identity`): `null` removes it, another type replaces it;
 * with the type kept as UserAssigned the map merges as ARM's identity PATCH does (a `null` value removes that
 * identity, a map left out keeps them all).
 */
export function identityAfterPatch(current: ManagedIdentity | null, sent: WireIdentity | null, tenantId: string): ManagedIdentity | null {
  if (sent === null) return null
  const type = sent.type ?? current?.type
  let map = sent.userAssignedIdentities
  if (type === 'UserAssigned' && current?.type === 'UserAssigned') {
    const merged: Record<string, unknown> = { ...current.userAssignedIdentities }
    for (const [id, value] of Object.entries(sent.userAssignedIdentities ?? {})) {
      const existing = Object.keys(merged).find((key) => key.toLowerCase() === id.toLowerCase())
      if (existing !== undefined) delete merged[existing]
      if (value !== null) merged[id] = value
    }
    map = merged
  }
  const wire: WireIdentity = { ...(type ? { type } : {}), ...(map !== undefined ? { userAssignedIdentities: map } : {}) }
  assertIdentityConsistent(wire)
  return identityFromWire(wire, current, tenantId)
}

export function aksIdentityFromWire(type: AksAssignedIdentity['type'] | undefined, previous: AksAssignedIdentity | null, tenantId: string): AksAssignedIdentity | null {
  return type ? { type, principalId: previous?.principalId ?? randomUUID(), tenantId } : null
}

/** Which identities an api-version can show. */
export interface IdentityView {
  identity(identity: ManagedIdentity | null): ManagedIdentity | undefined
  aksAssignedIdentity(identity: AksAssignedIdentity | null): AksAssignedIdentity | null
}

/** Before 2025-03-01 the swaggers declare only a system-assigned identity, and no Workload type. */
export const SYSTEM_ASSIGNED_VIEW: IdentityView = {
  identity: (identity) => (identity && identity.type !== 'UserAssigned' ? identity : undefined),
  aksAssignedIdentity: (identity) => (identity?.type === 'Workload' ? null : identity),
}

/** 2025-03-01 shows them all. */
export const ALL_IDENTITIES_VIEW: IdentityView = {
  identity: (identity) => identity ?? undefined,
  aksAssignedIdentity: (identity) => identity,
}
