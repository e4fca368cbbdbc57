// The JWTs the built-in authority issues: Entra-ID-shaped v1 access tokens (tid, oid, appid, upn for users, idtyp)
// that principal.ts reads like any other issuer's, and the id_token MSAL needs after a password sign-in.
import { createHash } from 'node:crypto'
import { SignJWT } from 'jose'
import { AUTHORITY_ALGORITHM } from './signing-key.js'
import type { OwnIssuer } from './own-issuer.js'

export const TOKEN_LIFETIME_SECONDS = 3600

export interface TokenSubject {
  kind: 'app' | 'user'
  objectId: string
  /** The application the token is for: the service principal itself, or the public client a user signed in with. */
  appId: string
  userName?: string
}

/** A stable object id for a principal known only by name (dev mode, or an application named by client id). */
export function derivedObjectId(kind: TokenSubject['kind'], name: string): string {
  const hex = createHash('sha256').update(`arcext:${kind}:${name.toLowerCase()}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export interface IssuedToken {
  token: string
  expiresOn: number
}

function signed(claims: Record<string, unknown>, own: OwnIssuer, audience: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: AUTHORITY_ALGORITHM, kid: own.key.kid, typ: 'JWT' })
    .setIssuer(own.issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now - 60)
    .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
    .sign(own.key.privateKey)
}

export async function accessToken(own: OwnIssuer, tenantId: string, subject: TokenSubject): Promise<IssuedToken> {
  const claims = {
    tid: tenantId,
    oid: subject.objectId,
    sub: subject.objectId,
    appid: subject.appId,
    idtyp: subject.kind,
    ver: '1.0',
    ...(subject.userName !== undefined ? { upn: subject.userName, unique_name: subject.userName } : {}),
  }
  return { token: await signed(claims, own, own.audience), expiresOn: Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS }
}

/** OpenID Connect's id_token for a user: MSAL reads the account (oid, tid, preferred_username) from it. */
export function idToken(own: OwnIssuer, tenantId: string, subject: TokenSubject, clientId: string): Promise<string> {
  return signed({ tid: tenantId, oid: subject.objectId, sub: subject.objectId, preferred_username: subject.userName, upn: subject.userName, name: subject.userName }, own, clientId)
}

/** MSAL's client_info: base64url JSON naming the account's home object id and tenant. */
export function clientInfo(tenantId: string, subject: TokenSubject): string {
  return Buffer.from(JSON.stringify({ uid: subject.objectId, utid: tenantId })).toString('base64url')
}
