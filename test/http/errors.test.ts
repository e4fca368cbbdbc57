// Bad input always gets an ARM error envelope with the right status, never a 5xx.
import net from 'node:net'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toArmError } from '../../api/arm/error-envelope.js'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

let h: Harness
const sub = freshSubscription()

beforeAll(async () => {
  h = await startHarness({ worker: false, transport: 'inject' })
  await registerCluster(h, sub)
})
afterAll(() => h?.close())

const flux = { properties: { extensionType: 'microsoft.flux' } }

describe('ARM error envelope', () => {
  const cases: { name: string; method: string; path: () => string; body?: unknown; headers?: Record<string, string>; status: number; code: string }[] = [
    { name: 'missing api-version', method: 'GET', path: () => extensionPath(sub, 'x'), status: 400, code: 'MissingApiVersionParameter' },
    { name: 'unsupported api-version', method: 'GET', path: () => `${extensionPath(sub, 'x')}?api-version=2099-01-01`, status: 400, code: 'NoRegisteredProviderFound' },
    { name: 'unknown extension', method: 'GET', path: () => `${extensionPath(sub, 'nope')}?${EXTENSION_API}`, status: 404, code: 'ResourceNotFound' },
    { name: 'unregistered parent cluster', method: 'PUT', path: () => `${extensionPath(sub, 'x', 'ghost')}?${EXTENSION_API}`, body: flux, status: 404, code: 'ParentResourceNotFound' },
    { name: 'malformed JSON', method: 'PUT', path: () => `${extensionPath(sub, 'x')}?${EXTENSION_API}`, body: '{"properties":', status: 400, code: 'InvalidRequestContent' },
    { name: 'missing properties', method: 'PUT', path: () => `${extensionPath(sub, 'x')}?${EXTENSION_API}`, body: {}, status: 400, code: 'InvalidRequestContent' },
    {
      name: 'wrong property type',
      method: 'PUT',
      path: () => `${extensionPath(sub, 'x')}?${EXTENSION_API}`,
      body: { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: 'yes' } },
      status: 400,
      code: 'InvalidRequestContent',
    },
    { name: 'bad subscription id', method: 'GET', path: () => `${extensionPath('not-a-guid', 'x')}?${EXTENSION_API}`, status: 400, code: 'InvalidResourceName' },
    {
      name: 'unknown parent type',
      method: 'GET',
      path: () => `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Foo/bars/c/providers/Microsoft.KubernetesConfiguration/extensions/x?${EXTENSION_API}`,
      status: 400,
      code: 'InvalidResourceType',
    },
    { name: 'unknown route', method: 'GET', path: () => '/nothing/here', status: 404, code: 'NotFound' },
    {
      name: 'non-JSON content type',
      method: 'PUT',
      path: () => `${extensionPath(sub, 'x')}?${EXTENSION_API}`,
      body: 'a=b',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'UnsupportedMediaType',
    },
    { name: 'malformed percent-encoding in the URL', method: 'GET', path: () => `${extensionPath(sub, 'a%zz')}?${EXTENSION_API}`, status: 400, code: 'InvalidRequestUri' },
    { name: 'malformed percent-encoding in an admin URL', method: 'DELETE', path: () => '/admin/simulator/faults/%ff', status: 400, code: 'InvalidRequestUri' },
    { name: 'extension name over 253 characters', method: 'PUT', path: () => `${extensionPath(sub, 'n'.repeat(254))}?${EXTENSION_API}`, body: flux, status: 400, code: 'InvalidResourceName' },
    { name: 'URL segment longer than the router matches', method: 'GET', path: () => `${extensionPath(sub, 'n'.repeat(5000))}?${EXTENSION_API}`, status: 414, code: 'RequestUriTooLong' },
    {
      name: 'unpaired surrogate in a cluster field',
      method: 'PUT',
      path: () => `${clusterPath(sub, 'c-text')}?${CLUSTER_API}`,
      body: { ...compatibleCluster, tags: { a: '\ud800' } },
      status: 400,
      code: 'InvalidRequestContent',
    },
    {
      name: 'NUL in a configuration setting key',
      method: 'PUT',
      path: () => `${extensionPath(sub, 'x')}?${EXTENSION_API}`,
      body: { properties: { extensionType: 'microsoft.flux', configurationSettings: { 'a\u0000': 'b' } } },
      status: 400,
      code: 'InvalidRequestContent',
    },
    { name: 'NUL in a query parameter', method: 'GET', path: () => `${extensionPath(sub, '').slice(0, -1)}?${EXTENSION_API}&$skipToken=%00`, status: 400, code: 'InvalidRequestContent' },
    { name: 'cluster without location', method: 'PUT', path: () => `${clusterPath(sub, 'c2')}?${CLUSTER_API}`, body: { properties: {} }, status: 400, code: 'InvalidRequestContent' },
  ]

  it.each(cases)('$name → $status $code', async ({ method, path, body, headers, status, code }) => {
    const response = await call<{ error: { code: string; message: string } }>(h, method, path(), body, headers)
    expect(response.status).toBe(status)
    expect(response.body.error.code).toBe(code)
    expect(response.body.error.message).toEqual(expect.any(String))
    expect(response.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("serves extension names longer than the router's default parameter limit", async () => {
    // Its own cluster: Flux installs once per cluster.
    expect((await call(h, 'PUT', `${clusterPath(sub, 'long-names')}?${CLUSTER_API}`, compatibleCluster)).status).toBeLessThan(300)
    const name = 'e'.repeat(200)
    const path = `${extensionPath(sub, name, 'long-names')}?${EXTENSION_API}`
    expect((await call(h, 'PUT', path, flux)).status).toBe(201)
    const got = await call<{ name: string }>(h, 'GET', path)
    expect(got.status).toBe(200)
    expect(got.body.name).toBe(name)
  })

  it('names the field holding text that cannot be stored, and keeps what was stored', async () => {
    const path = `${clusterPath(sub, 'c-text-kept')}?${CLUSTER_API}`
    expect((await call(h, 'PUT', path, compatibleCluster)).status).toBe(201)
    const rejected = await call<{ error: { target: string } }>(h, 'PUT', path, { ...compatibleCluster, location: 'east\udc00us' })
    expect(rejected.status).toBe(400)
    expect(rejected.body.error.target).toBe('location')
    const nested = await call<{ error: { target: string } }>(h, 'PUT', `${extensionPath(sub, 'x')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.flux', configurationProtectedSettings: { key: 'v\u0000' } },
    })
    expect(nested.body.error.target).toBe('properties.configurationProtectedSettings.key')
    expect((await call(h, 'GET', path)).body).toMatchObject({ location: 'eastus' })
  })

  it.each([
    { name: 'a little too deep', depth: 70 },
    { name: 'deep enough to exhaust a recursive walk', depth: 1_000_000 },
  ])('refuses a body nested $name, naming where', async ({ depth }) => {
    const body = `{"properties":{"extensionType":"microsoft.flux","configurationSettings":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}}`
    for (const method of ['PUT', 'PATCH']) {
      const response = await call<{ error: { code: string; message: string; target: string } }>(h, method, `${extensionPath(sub, 'deep')}?${EXTENSION_API}`, body)
      expect(response.status, method).toBe(400)
      expect(response.body.error).toMatchObject({ code: 'InvalidRequestContent', message: expect.stringContaining('nested more than 64 levels') })
      expect(response.body.error.target).toMatch(/^properties\.configurationSettings\.a(\.0)+$/)
    }
  })

  it('names the missing property as the target', async () => {
    const response = await call<{ error: { target: string } }>(h, 'PUT', `${clusterPath(sub, 'c3')}?${CLUSTER_API}`, { properties: {} })
    expect(response.body.error.target).toBe('location')
  })

  it('echoes correlation and client request ids', async () => {
    const response = await call(h, 'GET', '/healthz', undefined, { 'x-ms-correlation-request-id': 'corr-1', 'x-ms-client-request-id': 'client-1' })
    expect(response.headers.get('x-ms-correlation-request-id')).toBe('corr-1')
    expect(response.headers.get('x-ms-client-request-id')).toBe('client-1')
  })

  it('leaves a stored extension untouched when a replace is rejected', async () => {
    const path = `${extensionPath(sub, 'keep')}?${EXTENSION_API}`
    expect((await call(h, 'PUT', path, { properties: { extensionType: 'microsoft.flux', configurationSettings: { a: '1' } } })).status).toBe(201)
    const rejected = await call(h, 'PUT', path, { properties: { extensionType: 'microsoft.flux', configurationSettings: { a: 5 } } })
    expect(rejected.status).toBe(400)
    const got = await call(h, 'GET', path)
    expect(got.body).toMatchObject({ properties: { configurationSettings: { a: '1' } } })
  })
})

describe('requests without content', () => {
  it('deletes whatever Content-Type a bodyless DELETE names', async () => {
    for (const contentType of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
      // One cluster each: Dapr installs once per cluster.
      const cluster = `bodyless-${contentType.length}`
      const path = `${extensionPath(sub, 'dapr', cluster)}?${EXTENSION_API}`
      expect((await call(h, 'PUT', `${clusterPath(sub, cluster)}?${CLUSTER_API}`, compatibleCluster)).status).toBeLessThan(300)
      expect((await call(h, 'PUT', path, { properties: { extensionType: 'microsoft.dapr' } })).status).toBe(201)
      const deleted = await call(h, 'DELETE', path, '', { 'content-type': contentType })
      expect(deleted.status, contentType).toBe(202)
    }
  })

  it('runs an optional-body admin POST sent with a JSON Content-Type and no content', async () => {
    const reset = await call(h, 'POST', '/admin/simulator/reset', '', { 'content-type': 'application/json' })
    expect(reset.status).toBe(200)
  })

  it.each<{ name: string; body: string | undefined; headers: Record<string, string> }>([
    { name: 'no Content-Type', body: undefined, headers: {} },
    { name: 'a JSON Content-Type', body: '', headers: { 'content-type': 'application/json' } },
  ])('answers a PUT with no content and $name in one way', async ({ body, headers }) => {
    const response = await call<{ error: { code: string; message: string } }>(h, 'PUT', `${extensionPath(sub, 'empty')}?${EXTENSION_API}`, body, headers)
    expect(response.status).toBe(400)
    expect(response.body.error).toMatchObject({ code: 'InvalidRequestContent', message: 'The request content was empty; a JSON body is required.' })
  })

  it('names the unsupported media type', async () => {
    const response = await call<{ error: { message: string } }>(h, 'PUT', `${extensionPath(sub, 'form')}?${EXTENSION_API}`, 'a=b', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(response.status).toBe(415)
    expect(response.body.error.message).toContain("'application/x-www-form-urlencoded'")
  })
})

describe('requests Node cannot parse as HTTP', () => {
  /** Writes raw bytes on a fresh connection and returns all that comes back before the server closes it. */
  function exchange(url: string, raw: string): Promise<string> {
    const { hostname, port, protocol } = new URL(url)
    return new Promise((resolve, reject) => {
      const socket = protocol === 'https:' ? tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }) : net.connect(Number(port), hostname)
      let received = ''
      socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => socket.write(raw))
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')))
      socket.on('close', () => resolve(received))
      socket.on('error', reject)
    })
  }

  it.each([
    { name: 'a header line without a colon', raw: 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nNot a header\r\n\r\n', status: 400, code: 'BadRequest' },
    { name: 'a non-numeric Content-Length', raw: 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n', status: 400, code: 'BadRequest' },
    {
      name: 'broken chunked framing',
      raw: 'POST /admin/simulator/reset HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      status: 400,
      code: 'BadRequest',
    },
    { name: 'headers over the size limit', raw: `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431, code: 'RequestHeaderFieldsTooLarge' },
  ])('answers $name with the error envelope over HTTP and HTTPS', async ({ raw, status, code }) => {
    for (const url of [h.baseUrl, h.api.httpsUrl]) {
      const response = await exchange(url, raw)
      const [head, body] = response.split('\r\n\r\n')
      expect(head, url).toMatch(new RegExp(`^HTTP/1.1 ${status} `))
      expect(head).toMatch(/\r\nx-ms-request-id: [0-9a-f-]{36}\r\n/)
      expect(JSON.parse(body!)).toMatchObject({ error: { code, message: expect.any(String) } })
    }
  })
})

describe('database waits the client should retry', () => {
  it('answers a row lock not granted within lock_timeout (55P03) with 503 and Retry-After, like a starved pool', () => {
    const timedOut = toArmError(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }))
    expect(timedOut).toMatchObject({ statusCode: 503, code: 'ServiceUnavailable', headers: { 'retry-after': '5' } })
    expect(toArmError(Object.assign(new Error('something else'), { code: '42P01' }))).toBeNull()
  })
})
