// Who a token says the caller is: the ids role assignments match (oid, appid/azp, groups), the name denials quote,
// and the systemData identity. Claims are untrusted text until stored, so every name goes through storableIdentity.
import type { JWTPayload } from 'jose'
import type { Caller } from '../../core/domain/model.js'
import { isGuid } from '../../core/domain/guid.js'
import { storableIdentity } from '../arm/system-data.js'

export interface Principal {
  /** `oid` (Entra ID's object id), else `sub`. */
  objectId: string | undefined
  /** `appid` (v1 tokens), else `azp` (v2 tokens): the client application. */
  appId: string | undefined
  groups: string[]
  /** How a denial names the caller, as Azure does: upn, else appid, else object id. */
  displayName: string
  /** The token's `tid` (lower-cased) when it is a GUID: the caller's tenant. */
  tenantId: string | undefined
  caller: Caller
}

/** Groups beyond this many are ignored: an oversized token must not cost a policy lookup per entry. */
const MAX_GROUPS = 200

export function principalFromClaims(claims: JWTPayload): Principal {
  const objectId = storableIdentity(claims.oid) ?? storableIdentity(claims.sub)
  const appId = storableIdentity(claims.appid) ?? storableIdentity(claims.azp)
  const userName = storableIdentity(claims.upn) ?? storableIdentity(claims.unique_name)
  const groups = Array.isArray(claims.groups) ? claims.groups.slice(0, MAX_GROUPS).flatMap((group) => storableIdentity(group) ?? []) : []
  const name = userName ?? appId ?? objectId ?? 'anonymous'
  // `idtyp` (an optional claim) says app or user; without it, a token naming no user is an application's.
  const type: Caller['type'] = claims.idtyp === 'app' ? 'Application' : claims.idtyp === 'user' || userName ? 'User' : appId ? 'Application' : 'User'
  const tenantId = typeof claims.tid === 'string' && isGuid(claims.tid) ? claims.tid.toLowerCase() : undefined
  return { objectId, appId, groups, displayName: name, tenantId, caller: { id: name, type } }
}
