// Who is calling. AUTH_MODE=jwt: every route but the public ones needs `Authorization: Bearer <JWT>` that
// token-verifier.ts accepts (401 AuthenticationFailed without one, 401 InvalidAuthenticationToken naming the failed
// check otherwise), and systemData names the token's identity whatever identity headers say. AUTH_MODE=dev: any or
// no token; a JWT's claims, unverified, still name the caller. The token itself is never logged or stored.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { decodeJwt, type JWTPayload } from 'jose'
import type { AuthConfig } from '../../core/config.js'
import type { RouteConfig } from '../arm/arm-hooks.js'
import { ArmErrors } from '../arm/errors.js'
import { principalFromClaims } from './principal.js'
import type { RequestAuth } from './route-access.js'
import { createTokenVerifier } from './token-verifier.js'
import { ownIssuer } from './authority/own-issuer.js'
import { inProcessOperator } from './in-process.js'

const BEARER = /^Bearer +(\S+) *$/i

function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw ArmErrors.authenticationFailed("The 'Authorization' header is missing.")
  const token = BEARER.exec(header)?.[1]
  if (token === undefined) throw ArmErrors.authenticationFailed("The 'Authorization' header is not in the form 'Bearer <token>'.")
  return token
}

/** Dev mode: the claims of a bearer JWT, unverified, or null for no token or one that is not a JWT. */
function unverifiedClaims(header: string | undefined): JWTPayload | null {
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1]
  if (token === undefined) return null
  try {
    return decodeJwt(token)
  } catch {
    return null
  }
}

function nameCaller(request: FastifyRequest, claims: JWTPayload | null): void {
  if (!claims) return
  const principal = principalFromClaims(claims)
  request.auth.principal = principal
  request.arm.caller = principal.caller
}

/** Names the request's caller; a promise only when it has to wait (a token to verify), so other requests cost none. */
export type Authenticate = (request: FastifyRequest, config: RouteConfig) => Promise<void> | undefined

export function registerAuthentication(app: FastifyInstance, auth: AuthConfig): Authenticate {
  const verify = auth.mode === 'jwt' ? createTokenVerifier(auth) : undefined
  app.decorateRequest('auth', null as unknown as RequestAuth)
  return (request, config) => {
    request.auth = { principal: null }
    if (config.access?.kind === 'public') return undefined
    const operator = inProcessOperator(request)
    if (operator) {
      request.auth.principal = operator
      request.arm.caller = operator.caller
      return undefined
    }
    const header = request.headers.authorization
    if (!verify) {
      nameCaller(request, unverifiedClaims(header))
      return undefined
    }
    return (async () => nameCaller(request, await verify(bearerToken(header), await ownIssuer(request, app.services.config))))()
  }
}
