// Who is calling. AUTH_MODE=jwt: every route but the public ones needs `Authorization: Bearer <JWT>` that
// token-verifier.ts accepts (401 AuthenticationFailed without one, 401 InvalidAuthenticationToken naming the failed
// check otherwise), and systemData names the token's identity whatever identity headers say. AUTH_MODE=dev: any or
// no token; a JWT's claims, unverified, still name the caller. The token itself is never logged or stored.
import type { FastifyInstance } from 'fastify'
import { decodeJwt, type JWTPayload } from 'jose'
import type { AuthConfig } from '../../core/config.js'
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

export function registerAuthentication(app: FastifyInstance, auth: AuthConfig): void {
  const verify = auth.mode === 'jwt' ? createTokenVerifier(auth) : undefined
  app.decorateRequest('auth', null as unknown as RequestAuth)
  app.addHook('onRequest', async (request) => {
    request.auth = { principal: null }
    if (request.routeOptions.config.access?.kind === 'public') return
    const operator = inProcessOperator(request)
    if (operator) {
      request.auth.principal = operator
      request.arm.caller = operator.caller
      return
    }
    const header = request.headers.authorization
    const claims = verify ? await verify(bearerToken(header), await ownIssuer(request, app.services.config)) : unverifiedClaims(header)
    if (!claims) return
    const principal = principalFromClaims(claims)
    request.auth.principal = principal
    request.arm.caller = principal.caller
  })
}
