// AUTH_MODE=jwt, authentication: every rule of token validation over real HTTP against a JWKS file holding an RSA
// and an EC key. A refused token is 401 in ARM's envelope with WWW-Authenticate and names the failed check.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, call, clusterPath, compatibleCluster, startHarness, type Harness } from '../helpers/harness.js'
import { AUDIENCE, bearer, hmacToken, jwks, jwtEnv, signingKey, tempDir, token, unsignedToken, writeJson, type SigningKey } from './support.js'

let h: Harness
let rsa: SigningKey
let ec: SigningKey
let stranger: SigningKey
const sub = randomUUID()
const OWNER = randomUUID()
const owner = { oid: OWNER, upn: 'owner@contoso.com' }

beforeAll(async () => {
  rsa = await signingKey('RS256')
  ec = await signingKey('ES256')
  stranger = await signingKey('RS256', rsa.kid) // same kid, different key: a forged signature
  const dir = tempDir()
  const policy = writeJson(dir, 'policy.json', { principals: [{ oid: OWNER, roleAssignments: [{ role: 'Owner', scope: `/subscriptions/${sub}` }] }] })
  h = await startHarness({ worker: false, env: jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(rsa, ec)) }, policy) })
  const created = await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster, bearer(await token(rsa, { claims: owner })))
  expect(created.status).toBe(201)
})
afterAll(() => h?.close())

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const get = (headers: Record<string, string>) => call<Json>(h, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`, undefined, headers)

describe('jwt mode: authentication', () => {
  it('401 AuthenticationFailed without a token, or with another scheme', async () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }] as Record<string, string>[]) {
      const response = await get(headers)
      expect(response.status).toBe(401)
      expect(response.body).toEqual({ error: { code: 'AuthenticationFailed', message: expect.stringMatching(/^Authentication failed\. The 'Authorization' header is/) } })
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /)
      expect(response.headers.get('x-ms-request-id')).toBeTruthy()
    }
  })

  it.each<[string, () => Promise<string>, RegExp]>([
    ['garbage', async () => 'garbage', /malformed/],
    ['a wrong signature', () => token(stranger, { claims: owner }), /signature does not verify/],
    ['an unknown kid', () => token(rsa, { claims: owner, kid: 'unknown-kid' }), /no signing key matches/],
    ['an expired token', () => token(rsa, { claims: owner, expiresIn: -120 }), /expired/],
    ['a token not valid for 5 minutes', () => token(rsa, { claims: owner, notBefore: 300 }), /not yet valid/],
    ['another issuer', () => token(rsa, { claims: owner, issuer: 'https://evil.example/' }), /issuer/],
    ['another audience', () => token(rsa, { claims: owner, audience: 'https://vault.azure.net' }), /audience/],
    ['no exp', () => token(rsa, { claims: owner, expiresIn: null }), /no expiry/],
    ['HS256', () => hmacToken(owner, rsa.kid), /algorithm is not allowed/],
    ['alg none', async () => unsignedToken(owner), /algorithm is not allowed/],
  ])('401 InvalidAuthenticationToken for %s, naming the check', async (_name, make, reason) => {
    const jwt = await make()
    const response = await get(bearer(jwt))
    expect(response.status).toBe(401)
    expect(response.body.error).toEqual({ code: 'InvalidAuthenticationToken', message: expect.stringMatching(reason) })
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="arcext", error="invalid_token", error_description="[^"]+"$/)
    expect(JSON.stringify(response.body)).not.toContain(jwt)
  })

  it.each<[string, () => Promise<string>]>([
    ['an RSA-signed token', () => token(rsa, { claims: owner })],
    ['an EC-signed token', () => token(ec, { claims: owner })],
    ['a token expired 30 s ago (within the 60 s skew)', () => token(rsa, { claims: owner, expiresIn: -30 })],
    ['a token valid in 30 s (within the 60 s skew)', () => token(rsa, { claims: owner, notBefore: 30 })],
    ['the audience without its trailing slash', () => token(rsa, { claims: owner, audience: AUDIENCE.replace(/\/$/, '') })],
    ['a configured audience with a trailing slash added', () => token(rsa, { claims: owner, audience: 'api://arcext/' })],
  ])('accepts %s', async (_name, make) => {
    const response = await get(bearer(await make()))
    expect(response.status, JSON.stringify(response.body)).toBe(200)
  })

  it('accepts the scheme in any case', async () => {
    expect((await get({ authorization: `bearer ${await token(rsa, { claims: owner })}` })).status).toBe(200)
  })

  it('keeps health, readiness and the OpenAPI document open', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) expect((await call(h, 'GET', path)).status).toBe(200)
    expect((await fetch(`${h.baseUrl}/healthz`, { method: 'HEAD' })).status).toBe(200)
    const docs = await fetch(`${h.baseUrl}/docs`)
    expect(docs.status).toBe(200)
  })

  it('needs a token, but no role, for the provider operations list; unknown paths need a token too', async () => {
    const nobody = bearer(await token(rsa, { claims: { oid: randomUUID() } }))
    const operations = '/providers/Microsoft.KubernetesConfiguration/operations?api-version=2023-05-01'
    expect((await call(h, 'GET', operations)).status).toBe(401)
    expect((await call(h, 'GET', operations, undefined, nobody)).status).toBe(200)
    expect((await call(h, 'GET', '/no/such/path')).status).toBe(401)
    expect((await call(h, 'GET', '/no/such/path', undefined, nobody)).status).toBe(404)
  })

  it('checks the token before the api-version', async () => {
    expect((await call(h, 'GET', clusterPath(sub))).body.error).toMatchObject({ code: 'AuthenticationFailed' })
  })
})
