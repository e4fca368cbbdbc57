// AUTH_MODE=jwt: a bearer token is accepted only when jose verifies its signature against the configured key set
// (a JWKS endpoint, cached and refetched on an unknown `kid`, or a JWKS file), its issuer and audience are
// configured ones, it is within its validity window (60 s clock skew) and it is signed with an asymmetric algorithm.
// A refusal names the check that failed; it never quotes the token. Tokens of the built-in authority (signed with its
// key, api/auth/authority) are accepted alongside: their issuer and audience must be the ones it issues for.
import { readFileSync } from 'node:fs'
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { ConfigError, type AuthConfig } from '../../core/config.js'
import { ArmError, ArmErrors } from '../arm/errors.js'
import type { OwnIssuer } from './authority/own-issuer.js'

export type TokenVerifier = (token: string, own?: OwnIssuer) => Promise<JWTPayload>

function signedBy(token: string, kid: string): boolean {
  try {
    return decodeProtectedHeader(token).kid === kid
  } catch {
    return false // not a JWS: the configured path reports it as malformed
  }
}

/** Asymmetric only: an HMAC key would have to be shared with every client, and `none` is no signature at all. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
const CLOCK_TOLERANCE_SECONDS = 60
const JWKS_TIMEOUT_MS = 5000

/** Azure clients ask for `https://management.azure.com/` and others for it without the slash: both are the same. */
export function audienceVariants(audiences: readonly string[]): string[] {
  return [...new Set(audiences.flatMap((audience) => [audience.replace(/\/+$/, ''), `${audience.replace(/\/+$/, '')}/`]))]
}

function keySet(auth: AuthConfig): JWTVerifyGetKey {
  if (auth.jwksUrl !== undefined) {
    return createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: auth.jwksCooldownSeconds * 1000, timeoutDuration: JWKS_TIMEOUT_MS })
  }
  const file = auth.jwksFile!
  try {
    return createLocalJWKSet(JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof createLocalJWKSet>[0])
  } catch (error) {
    throw new ConfigError(`AUTH_JWKS_FILE=${file} is not a readable JSON Web Key Set ({"keys": [...]}): ${(error as Error).message}`)
  }
}

/** Which check a jose error reports, in words for the 401's message. */
function refusalReason(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'the token has expired (exp).'
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return 'the token is not yet valid (nbf).'
      case 'iss':
        return 'the issuer (iss) is not an accepted issuer.'
      case 'aud':
        return 'the audience (aud) is not an accepted audience.'
      case 'exp':
        return 'the token has no expiry (exp).'
      default:
        return `the claim '${error.claim}' is invalid.`
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return `the signing algorithm is not allowed; accepted: ${ASYMMETRIC_ALGORITHMS.join(', ')}.`
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify.'
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return "the signature does not verify: no signing key matches the token's key id (kid) and algorithm."
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return 'the token is malformed (not a signed JWT).'
  }
  return undefined
}

export function createTokenVerifier(auth: AuthConfig): TokenVerifier {
  const keys = keySet(auth)
  const options = {
    issuer: auth.issuers,
    audience: audienceVariants(auth.audiences),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    algorithms: ASYMMETRIC_ALGORITHMS,
    requiredClaims: ['exp'],
  }
  return async (token, own) => {
    try {
      if (own && signedBy(token, own.key.kid)) {
        return (await jwtVerify(token, own.key.publicKey, { ...options, issuer: own.issuer, audience: audienceVariants([own.audience]) })).payload
      }
      return (await jwtVerify(token, keys, options)).payload
    } catch (error) {
      if (error instanceof ArmError) throw error
      const reason = refusalReason(error)
      if (reason !== undefined) throw ArmErrors.invalidAuthenticationToken(reason)
      // The key set could not be fetched (timeout, not a JWKS): the token may be fine, so this is not the caller's fault.
      throw ArmErrors.serviceUnavailable('The token signing keys could not be loaded from AUTH_JWKS_URL; retry later.')
    }
  }
}
