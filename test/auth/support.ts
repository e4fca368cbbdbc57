// Keys, key sets, policies and tokens for the authentication and authorization suites: real RSA and EC key pairs
// generated with jose, JWKS written to a file or served over a local HTTP server, tokens signed per test.
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose'

const ISSUER = 'https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/'
export const AUDIENCE = 'https://management.azure.com/'

export interface SigningKey {
  kid: string
  alg: string
  privateKey: CryptoKey
  jwk: JWK
}

export async function signingKey(alg: 'RS256' | 'ES256' | 'PS256', kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

export function jwks(...keys: SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((key) => key.jwk) }
}

export interface TokenOptions {
  claims?: JWTPayload
  issuer?: string
  audience?: string | string[]
  /** Seconds from now; null leaves exp out. */
  expiresIn?: number | null
  notBefore?: number
  kid?: string
}

export async function token(key: SigningKey, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 5)
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 3600))
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore)
  return jwt.sign(key.privateKey)
}

/** An HS256 token, signed with a secret: the kind of token jwt mode must refuse whatever the secret. */
export async function hmacToken(claims: JWTPayload, kid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode('a-shared-secret-of-thirty-two-by'))
}

export function unsignedToken(claims: JWTPayload): string {
  const now = Math.floor(Date.now() / 1000)
  return new UnsecuredJWT({ iss: ISSUER, aud: AUDIENCE, exp: now + 3600, ...claims }).encode()
}

export const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` })

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'arcext-auth-'))
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name)
  writeFileSync(file, JSON.stringify(value))
  return file
}

/** A JWKS endpoint on loopback whose key set a test can replace (key rotation), counting fetches. */
export interface JwksServer {
  url: string
  fetches: number
  serve(set: { keys: JWK[] }): void
  close(): Promise<void>
}

export async function startJwksServer(initial: { keys: JWK[] }): Promise<JwksServer> {
  let current = initial
  const state = { fetches: 0 }
  const server: Server = createServer((_request, response) => {
    state.fetches += 1
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(current))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/discovery/keys`,
    get fetches() {
      return state.fetches
    },
    serve(set) {
      current = set
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The environment of a jwt-mode harness. */
export function jwtEnv(source: { AUTH_JWKS_FILE: string } | { AUTH_JWKS_URL: string }, policyFile: string): Record<string, string> {
  return { AUTH_MODE: 'jwt', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: `${AUDIENCE},api://arcext`, AUTH_POLICY_FILE: policyFile, ...source }
}
