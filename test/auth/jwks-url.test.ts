// AUTH_MODE=jwt with AUTH_JWKS_URL: keys come from a JWKS endpoint (here a local HTTP server), are cached, and are
// fetched again when a token names a key id the cached set lacks, so an issuer's key rotation needs no restart.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, call, clusterPath, startHarness, type Harness } from '../helpers/harness.js'
import { bearer, jwks, jwtEnv, signingKey, startJwksServer, tempDir, token, writeJson, type JwksServer, type SigningKey } from './support.js'

let h: Harness
let server: JwksServer
let first: SigningKey
const sub = randomUUID()
const oid = randomUUID()

beforeAll(async () => {
  first = await signingKey('RS256')
  server = await startJwksServer(jwks(first))
  const policy = writeJson(tempDir(), 'policy.json', { principals: [{ oid, roleAssignments: [{ role: 'Reader', scope: `/subscriptions/${sub}` }] }] })
  h = await startHarness({ worker: false, env: { ...jwtEnv({ AUTH_JWKS_URL: server.url }, policy), AUTH_JWKS_COOLDOWN_SECONDS: '0' } })
})
afterAll(async () => {
  await h?.close()
  await server?.close()
})

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const list = (jwt: string) => call<Json>(h, 'GET', `/subscriptions/${sub}/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}`, undefined, bearer(jwt))

describe('jwt mode with a JWKS endpoint', () => {
  it('fetches the key set once and caches it', async () => {
    const before = server.fetches
    for (let i = 0; i < 3; i++) expect((await list(await token(first, { claims: { oid } }))).status).toBe(200)
    expect(server.fetches - before).toBeLessThanOrEqual(1)
  })

  it('accepts a token signed with a rotated-in key after fetching the set again', async () => {
    const rotated = await signingKey('ES256')
    server.serve(jwks(rotated))
    const before = server.fetches
    const response = await list(await token(rotated, { claims: { oid } }))
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    expect(server.fetches).toBe(before + 1)
    // A key the issuer no longer publishes is refused once the set is refreshed.
    const stale = await list(await token(first, { claims: { oid } }))
    expect(stale.status).toBe(401)
    expect(stale.body.error).toMatchObject({ code: 'InvalidAuthenticationToken' })
  })

  it('refuses a token whose key id the endpoint does not publish', async () => {
    const unknown = await signingKey('RS256')
    const response = await list(await token(unknown, { claims: { oid } }))
    expect(response.status).toBe(401)
    expect(response.body.error.message).toMatch(/no signing key matches/)
    expect((await call(h, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(401)
  })
})
