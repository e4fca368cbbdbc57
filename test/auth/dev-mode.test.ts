// AUTH_MODE=dev (the default): no token needed, identities from an unverified JWT's claims when one is sent, and
// operator endpoints answer loopback peers only. The systemData reproducer of issue 13 (a NUL in a client-sent
// identity) is a regression test here.
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isLoopbackAddress } from '../../api/auth/loopback.js'
import { CLUSTER_API, call, clusterPath, compatibleCluster, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'
import { bearer, unsignedToken } from './support.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
// eslint-disable-next-line no-control-regex -- NUL is what Postgres text cannot hold
const UNSTORABLE = /\u0000|[\uD800-\uDFFF]/

/** A non-loopback address of this machine, if it has one: a peer connecting from it is not a loopback peer. */
const externalAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address

describe('dev mode on loopback', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ worker: false })
  })
  afterAll(() => h?.close())

  const put = (name: string, headers: Record<string, string>) => call<Json>(h, 'PUT', `${clusterPath(freshSubscription(), name)}?${CLUSTER_API}`, compatibleCluster, headers)

  it('accepts no token, any token, and a garbage token', async () => {
    for (const headers of [{}, { authorization: 'Bearer garbage' }, { authorization: 'Basic Zm9vOmJhcg==' }] as Record<string, string>[]) {
      expect((await put('c1', headers)).status).toBe(201)
    }
  })

  it('names the caller from the (unverified) token claims, else anonymous', async () => {
    expect((await put('c1', bearer(unsignedToken({ upn: 'dev@contoso.com' })))).body.systemData).toMatchObject({ createdBy: 'dev@contoso.com', createdByType: 'User' })
    expect((await put('c1', bearer(unsignedToken({ appid: 'ci-app', idtyp: 'app' })))).body.systemData).toMatchObject({ createdBy: 'ci-app', createdByType: 'Application' })
    expect((await put('c1', {})).body.systemData).toMatchObject({ createdBy: 'anonymous' })
  })

  it('ignores client-sent identity headers, so a NUL in x-ms-arm-resource-system-data is no 500 (issue 13 reproducer)', async () => {
    for (const createdBy of ['\u0000', 'a\u0000b', '\uDC00x', 'mallory@evil.example']) {
      const response = await put('c1', { 'x-ms-arm-resource-system-data': JSON.stringify({ createdBy, createdByType: 'User' }) })
      expect(response.status, JSON.stringify(response.body)).toBe(201)
      expect(response.body.systemData).toMatchObject({ createdBy: 'anonymous', lastModifiedBy: 'anonymous' })
    }
    expect((await put('c1', { 'x-ms-client-principal-name': 'mallory@evil.example' })).body.systemData).toMatchObject({ createdBy: 'anonymous' })
  })

  it('stores token claims Postgres cannot hold or absurdly long ones in a storable form', async () => {
    for (const upn of ['\u0000', 'a\u0000b', '\uDC00x']) {
      const response = await put('c1', bearer(unsignedToken({ upn })))
      expect(response.status, JSON.stringify(response.body)).toBe(201)
      expect(response.body.systemData.createdBy).not.toMatch(UNSTORABLE)
    }
    const long = await put('c1', bearer(unsignedToken({ upn: 'y'.repeat(5000) })))
    expect(long.status).toBe(201)
    expect(long.body.systemData.createdBy).toHaveLength(256)
  })

  it('serves operator endpoints to loopback peers', async () => {
    expect((await call(h, 'GET', '/admin/simulator/faults')).status).toBe(200)
  })
})

describe.skipIf(externalAddress === undefined)('dev mode on all interfaces (AUTH_DEV_ALLOW_ALL_INTERFACES=true)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { HOST: externalAddress!, AUTH_DEV_ALLOW_ALL_INTERFACES: 'true' } })
  })
  afterAll(() => h?.close())

  it('serves ARM routes to a non-loopback peer but refuses it the operator endpoints', async () => {
    expect(h.baseUrl).toContain(externalAddress)
    expect((await call(h, 'PUT', `${clusterPath(freshSubscription())}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    for (const [method, url, body] of [
      ['GET', '/admin/simulator/faults', undefined],
      ['GET', '/admin/queues/api/queues', undefined],
      ['POST', '/admin/simulator/reset', {}],
      ['PUT', `/admin/clusters${clusterPath(freshSubscription())}/driver`, { driver: 'simulated' }],
      ['POST', '/admin/simulator/reset', 'not json'], // refused before the body is read
    ] as const) {
      const response = await call<Json>(h, method, url, body)
      expect(response.status, `${method} ${url}`).toBe(403)
      expect(response.body.error).toMatchObject({ code: 'AuthorizationFailed', message: expect.stringContaining('loopback') })
    }
  })
})

describe('loopback peers', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.0.2.2', false],
    ['::ffff:10.0.0.1', false],
    ['fe80::1', false],
    ['0.0.0.0', false],
    ['', false],
    [undefined, false],
  ])('%s is loopback: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback)
  })
})
