// Issue 13's request-hygiene reproducers, each a regression test over real HTTP (raw sockets where fetch cannot send
// the request): one reading of the path for storage and throttling, the Host allow-list, the header-count limit,
// Azure's name rules, the 500s hostile input used to cause, and operator endpoints that refuse cross-site requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'
import { exchange, jsonBody } from '../helpers/raw-http.js'
import { ConfigError, loadConfig } from '../../core/config.js'

let h: Harness
const sub = freshSubscription()
const flux = { properties: { extensionType: 'microsoft.flux' } }

beforeAll(async () => {
  h = await startHarness({ worker: false })
  expect((await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
})
afterAll(() => h?.close())

/** A request with a body, as raw HTTP/1.1 that closes the connection after the answer. */
function rawRequest(method: string, target: string, headers: string[], body?: unknown): string {
  const content = body === undefined ? '' : JSON.stringify(body)
  const contentHeaders = body === undefined ? [] : ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(content)}`]
  return `${method} ${target} HTTP/1.1\r\n${[...headers, ...contentHeaders, 'Connection: close'].join('\r\n')}\r\n\r\n${content}`
}

const HOST = 'Host: 127.0.0.1'

describe('request targets that are not a path', () => {
  it('refuses an absolute-form PUT instead of creating a second cluster with the same name (ghost resources)', async () => {
    const path = `${clusterPath(sub, 'dup')}?${CLUSTER_API}`
    expect((await call(h, 'PUT', path, compatibleCluster)).status).toBe(201)
    for (const base of [h.baseUrl, h.api.httpsUrl]) {
      const response = await exchange(base, rawRequest('PUT', `http://evil.example${path}`, [HOST], compatibleCluster))
      expect(response.status).toBe(400)
      expect(jsonBody(response).error.code).toBe('InvalidRequestUri')
      expect(response.head).toMatch(/\r\nx-ms-request-id: [0-9a-f-]{36}/i)
    }
    const list = await call<{ value: { name: string }[] }>(h, 'GET', `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}`)
    expect(list.body.value.filter((c) => c.name.toLowerCase() === 'dup')).toHaveLength(1)
  })

  it('refuses an absolute-form extension PUT, so no ghost extension exists to install, block or escape throttling', async () => {
    const path = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    const response = await exchange(h.baseUrl, rawRequest('PUT', `http://evil.example${path}`, [HOST], flux))
    expect(response.status).toBe(400)
    expect((await call(h, 'GET', path)).status).toBe(404)
    const list = await call<{ value: unknown[] }>(h, 'GET', `${clusterPath(sub)}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}`)
    expect(list.body.value).toEqual([])
  })

  it.each([
    ['asterisk-form', 'OPTIONS', '*'],
    ['a path starting with //', 'GET', `//evil.example${clusterPath(sub)}?${CLUSTER_API}`],
    ['an https absolute URL naming an allowed host', 'GET', `https://127.0.0.1${clusterPath(sub)}?${CLUSTER_API}`],
  ])('refuses %s with 400', async (_name, method, target) => {
    const response = await exchange(h.baseUrl, rawRequest(method, target, [HOST]))
    expect(response.status).toBe(400)
    expect(jsonBody(response).error.code).toBe('InvalidRequestUri')
  })

  it('stores one resource whatever percent-encoding the path uses', async () => {
    const encodedSub = `%${sub.charCodeAt(0).toString(16)}${sub.slice(1).toUpperCase()}`
    const put = await call<{ id: string }>(h, 'PUT', `/subscriptions/${encodedSub}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/c%6Fded?${CLUSTER_API}`, compatibleCluster)
    expect(put.status).toBe(201)
    expect(put.body.id).toBe(clusterPath(`${sub[0]}${sub.slice(1).toUpperCase()}`, 'coded'))
    const got = await call<{ id: string }>(h, 'GET', `${clusterPath(sub, 'CODED')}?${CLUSTER_API}`)
    expect(got.status).toBe(200)
    expect(got.body.id).toBe(put.body.id)
  })
})

describe('Host header', () => {
  const list = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}&$top=1`

  it.each([
    ['no Host header', []],
    ['two Host headers', ['Host: 127.0.0.1', 'Host: evil.example']],
    ['two Host headers with the same value', ['Host: 127.0.0.1', 'Host: 127.0.0.1']],
    ['Host: [ on a list with $top=1', ['Host: [']],
    ['a Host with a path', ['Host: 127.0.0.1/x']],
    ['a Host with user info', ['Host: a@127.0.0.1']],
  ])('answers %s with 400 in the envelope', async (_name, headers) => {
    for (const base of [h.baseUrl, h.api.httpsUrl]) {
      const response = await exchange(base, rawRequest('GET', list, headers))
      expect(response.status, base).toBe(400)
      expect(jsonBody(response).error).toMatchObject({ code: 'InvalidHostHeader', target: 'Host' })
    }
  })

  it('answers an HTTP/1.0 request without Host with 400, not a 500', async () => {
    const response = await exchange(h.baseUrl, `GET ${list} HTTP/1.0\r\n\r\n`)
    expect(response.status).toBe(400)
  })

  it('answers a host it does not serve with 421 on both listeners (DNS rebinding)', async () => {
    for (const base of [h.baseUrl, h.api.httpsUrl]) {
      for (const host of ['rebind.attacker.example', 'rebind.attacker.example:8080', '10.0.0.1', '[::2]']) {
        const response = await exchange(base, rawRequest('GET', list, [`Host: ${host}`]))
        expect(response.status, `${base} ${host}`).toBe(421)
        expect(jsonBody(response).error).toMatchObject({ code: 'HostNotAllowed', target: 'Host' })
      }
    }
    // and nothing behind the gate ran: no operator endpoint either
    const reset = await exchange(h.baseUrl, rawRequest('POST', '/admin/simulator/reset', ['Host: rebind.attacker.example'], {}))
    expect(reset.status).toBe(421)
  })

  it('serves the default allowed hosts on any port, in any case', async () => {
    for (const host of ['localhost', 'LOCALHOST:1', '127.0.0.1:65535', '[::1]', '[::1]:8443']) {
      const response = await exchange(h.baseUrl, rawRequest('GET', list, [`Host: ${host}`]))
      expect(response.status, host).toBe(200)
    }
  })
})

describe('absolute URLs in answers', () => {
  beforeAll(async () => {
    expect((await call(h, 'PUT', `${clusterPath(sub, 'second')}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
  })
  const list = () => `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}&$top=1`

  it.each([
    ['a malformed Referer (data:,x)', 'data:,x'],
    ['a Referer that is no URL', 'not a url'],
    ['a Referer naming a host this service does not answer to', 'https://evil.example/x'],
  ])('ignores %s and builds nextLink from the request itself', async (_name, referer) => {
    const response = await call<{ nextLink?: string }>(h, 'GET', list(), undefined, { referer })
    expect(response.status).toBe(200)
    expect(response.body.nextLink?.startsWith(`${h.baseUrl}/subscriptions/`)).toBe(true)
  })

  it('uses the origin of a Referer naming an allowed host, as ARM sends it', async () => {
    const response = await call<{ nextLink?: string }>(h, 'GET', list(), undefined, { referer: 'https://localhost:9443/some/path' })
    expect(response.body.nextLink?.startsWith('https://localhost:9443/subscriptions/')).toBe(true)
  })

  it('percent-encodes the resource path in Azure-AsyncOperation and Location', async () => {
    const put = await call(h, 'PUT', `${extensionPath(sub, 'Flux.Main')}?${EXTENSION_API}`, flux)
    expect(put.status).toBe(201)
    expect(put.headers.get('azure-asyncoperation')).toMatch(new RegExp(`^${h.baseUrl}/subscriptions/${sub}/resourceGroups/rg1/.*/extensions/Flux\\.Main/operations/`))
  })
})

describe('header fields', () => {
  it('answers more header fields than the server keeps with 431, never dropping an If-Match (412 must not become 200)', async () => {
    const path = `${clusterPath(sub)}?${CLUSTER_API}`
    const filler = Array.from({ length: 1000 }, (_, i) => `X-Filler-${i}: ${i}`)
    for (const base of [h.baseUrl, h.api.httpsUrl]) {
      const response = await exchange(base, rawRequest('PATCH', path, [HOST, ...filler, 'If-Match: "stale"'], { tags: { a: 'b' } }))
      expect(response.status, base).toBe(431)
      expect(jsonBody(response).error.code).toBe('RequestHeaderFieldsTooLarge')
    }
    // the limit is 100 fields: a request at the limit (these, Host, If-Match, Content-Type/-Length, Connection) is served
    const atLimit = Array.from({ length: 100 - 5 }, (_, i) => `X-Filler-${i}: ${i}`)
    const honoured = await exchange(h.baseUrl, rawRequest('PATCH', path, [HOST, ...atLimit, 'If-Match: "stale"'], { tags: { a: 'b' } }))
    expect(honoured.status).toBe(412)
  })
})

describe('requests Node would answer itself (found by the fuzz suite)', () => {
  it('answers CONNECT with a 405 envelope instead of dropping the connection', async () => {
    for (const base of [h.baseUrl, h.api.httpsUrl]) {
      const response = await exchange(base, rawRequest('CONNECT', `${clusterPath(sub)}?${CLUSTER_API}`, [HOST]))
      expect(response.status, base).toBe(405)
      expect(jsonBody(response).error.code).toBe('MethodNotAllowed')
    }
  })

  it('answers malformed HTTP on the TLS listener instead of closing before the answer is flushed', async () => {
    const broken = `PUT ${clusterPath(sub)}?${CLUSTER_API} HTTP/1.1\r\n${HOST}\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}`
    const responses = await Promise.all(Array.from({ length: 40 }, () => exchange(h.api.httpsUrl, broken)))
    for (const response of responses) {
      const final = response.status === 100 ? /^HTTP\/1\.1 (\d{3})/.exec(response.body)?.[1] : String(response.status)
      expect(final, response.head).toBe('400')
      expect(response.body).toContain('"code":"BadRequest"')
    }
  })

  it('answers an Expect other than 100-continue with a 417 envelope, and serves 100-continue', async () => {
    for (const expectation of ['foo', '']) {
      const response = await exchange(h.baseUrl, rawRequest('PATCH', `${clusterPath(sub)}?${CLUSTER_API}`, [HOST, `Expect: ${expectation}`], { tags: { a: 'b' } }))
      expect(response.status).toBe(417)
      expect(jsonBody(response).error.code).toBe('ExpectationFailed')
    }
    const continued = await exchange(h.baseUrl, rawRequest('GET', `${clusterPath(sub)}?${CLUSTER_API}`, [HOST, 'Expect: 100-continue']))
    expect(continued.status).toBe(100) // the interim answer, then the final one
    expect(continued.body).toMatch(/^HTTP\/1\.1 200 /)
  })
})

describe('names follow Azure rules', () => {
  const names = [
    ['.', '.'],
    ['..', '..'],
    ['*', '*'],
    ['a tab', 'a%09b'],
    ['DEL', 'a%7Fb'],
    ['U+202E (right-to-left override)', 'abc%E2%80%AEgpj'],
    ['U+200E (left-to-right mark)', 'a%E2%80%8Eb'],
    ['U+200F (right-to-left mark)', 'a%E2%80%8Fb'],
    ['U+2066 (left-to-right isolate)', 'a%E2%81%A6b'],
    ['U+2069 (pop directional isolate)', 'a%E2%81%A9b'],
    ['U+FEFF (zero-width no-break space)', 'a%EF%BB%BFb'],
    ['outside Latin-1 (café✓)', 'caf%C3%A9%E2%9C%93'],
    ['Latin-1 (café)', 'caf%C3%A9'],
    ['a leading dot', '.flux'],
    ['two dots in a row', 'a..b'],
  ]

  it.each(names)('refuses an extension named with %s before committing anything', async (_name, encoded) => {
    const path = `${clusterPath(sub)}/providers/Microsoft.KubernetesConfiguration/extensions/${encoded}?${EXTENSION_API}`
    const response = await exchange(h.baseUrl, rawRequest('PUT', path, [HOST], flux))
    expect(response.status).toBe(400)
    expect(jsonBody(response).error).toMatchObject({ code: 'InvalidResourceName', target: 'extension' })
    // the quoted name shows invisible characters as escapes, never raw
    expect(jsonBody(response).error.message).not.toMatch(/[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/)
    const list = await call<{ value: unknown[] }>(h, 'GET', `${clusterPath(sub)}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}`)
    expect(list.body.value.every((e) => !String((e as { name: string }).name).includes('caf'))).toBe(true)
  })

  it.each([...names, ['a dot', 'a.b'], ['64 characters', 'c'.repeat(64)], ['a trailing hyphen', 'c-']])('refuses a cluster named with %s', async (_name, encoded) => {
    const path = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/${encoded}?${CLUSTER_API}`
    const response = await exchange(h.baseUrl, rawRequest('PUT', path, [HOST], compatibleCluster))
    expect(response.status).toBe(400)
    expect(jsonBody(response).error).toMatchObject({ code: 'InvalidResourceName', target: 'cluster' })
  })

  it('accepts the names Azure accepts', async () => {
    expect((await call(h, 'PUT', `${clusterPath(sub, 'Edge_01-a')}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    expect(
      (await call(h, 'PUT', `${extensionPath(sub, 'microsoft.azuremonitor.containers', 'Edge_01-a')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.azuremonitor.containers' } })).status,
    ).toBeLessThan(300)
  })
})

describe('hostile paging tokens', () => {
  it('answers a forged cluster-list $skipToken holding a NUL with 400', async () => {
    const response = await call(h, 'GET', `/subscriptions/${sub}/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}&$skipToken=eyJ2IjoxLCJhZnRlciI6IltcIlxcdTAwMDBcIixcInhcIl0ifQ`)
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error: { code: 'InvalidRequestContent', target: '$skipToken' } })
  })

  it('answers a well-formed operations-list $skipToken that is not an operation id with 400', async () => {
    const token = Buffer.from(JSON.stringify({ v: 1, after: 'not-a-uuid' })).toString('base64url')
    for (const skipToken of [token, 'garbage']) {
      const response = await call(h, 'GET', `${clusterPath(sub)}/providers/Microsoft.KubernetesConfiguration/operations?${EXTENSION_API}&$skipToken=${skipToken}`)
      expect(response.status).toBe(400)
      expect(response.body).toMatchObject({ error: { code: 'InvalidRequestContent', target: '$skipToken' } })
    }
  })
})

describe('operator endpoints refuse what a cross-site page can send', () => {
  it('refuses a bodyless text/plain POST (an HTML form) with 415 and resets nothing', async () => {
    const fault = await call<{ id: string }>(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', remainingCalls: 1 })
    expect(fault.status).toBe(201)
    const forms: Record<string, string>[] = [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'multipart/form-data; boundary=x' }, {}]
    for (const headers of forms) {
      const response = await call(h, 'POST', '/admin/simulator/reset', undefined, headers)
      expect(response.status, JSON.stringify(headers)).toBe(415)
      expect(response.body).toMatchObject({ error: { code: 'UnsupportedMediaType' } })
    }
    expect((await call(h, 'GET', `/admin/simulator/faults/${fault.body.id}`)).status).toBe(200)
    // a form with a body is refused the same way
    expect((await call(h, 'POST', '/admin/simulator/faults', 'kind=failInstall', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415)
  })

  it("refuses any request whose Origin is not the service's own, with 403", async () => {
    const port = new URL(h.baseUrl).port
    for (const origin of ['https://evil.example', 'null', `http://rebind.attacker.example:${port}`, `https://127.0.0.1:${port}`, 'http://127.0.0.1:1']) {
      for (const [method, path] of [
        ['POST', '/admin/simulator/reset'],
        ['GET', '/admin/simulator/faults'],
        ['DELETE', '/admin/simulator/faults/x'],
      ] as const) {
        const response = await call(h, method, path, method === 'POST' ? {} : undefined, { origin })
        expect(response.status, `${origin} ${method}`).toBe(403)
        expect(response.body).toMatchObject({ error: { code: 'CrossOriginRequestRefused', target: 'Origin' } })
      }
    }
  })

  it('serves its own origin and requests without one', async () => {
    const port = new URL(h.baseUrl).port
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, undefined]) {
      const response = await call(h, 'POST', '/admin/simulator/reset', {}, origin ? { origin } : {})
      expect(response.status, origin).toBe(200)
    }
    expect((await call(h, 'DELETE', '/admin/simulator/faults/absent')).status).toBe(204)
  })

  it('answers no CORS: a preflight is not honoured and no response carries Access-Control-* headers', async () => {
    const preflight = await call(h, 'OPTIONS', '/admin/simulator/reset', undefined, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    })
    expect(preflight.status).toBeGreaterThanOrEqual(400)
    const answers = [preflight, await call(h, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`, undefined, { origin: 'https://evil.example' })]
    for (const response of answers) {
      expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([])
    }
  })
})

describe('ALLOWED_HOSTS and PUBLIC_BASE_URL', () => {
  it('defaults to loopback names, HOST, TLS_SANS and the host of PUBLIC_BASE_URL; ALLOWED_HOSTS replaces the list', () => {
    expect(loadConfig({ HOST: '::1', TLS_SANS: 'arcext.test', PUBLIC_BASE_URL: 'https://Arc.Example.com/' }).allowedHosts).toEqual([
      'localhost',
      '127.0.0.1',
      '[::1]',
      'arcext.test',
      'arc.example.com',
    ])
    expect(loadConfig({ HOST: '0.0.0.0' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]'])
    expect(loadConfig({ ALLOWED_HOSTS: 'Arcext.Internal, ::1 ,10.0.0.5' }).allowedHosts).toEqual(['arcext.internal', '[::1]', '10.0.0.5'])
    for (const bad of ['http://x.example', 'x.example:8080', 'x.example/path', 'a b']) {
      expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(ConfigError)
    }
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x.example' })).toThrow(/PUBLIC_BASE_URL/)
  })

  it('serves only the configured hosts, and builds absolute URLs from PUBLIC_BASE_URL whatever Host or Referer say', async () => {
    const own = await startHarness({ worker: false, env: { ALLOWED_HOSTS: 'arcext.internal,127.0.0.1', PUBLIC_BASE_URL: 'https://arc.example.com' } })
    try {
      const subscription = freshSubscription()
      const list = `/subscriptions/${subscription}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}&$top=1`
      expect((await exchange(own.baseUrl, rawRequest('GET', list, ['Host: arcext.internal:8080']))).status).toBe(200)
      expect((await exchange(own.baseUrl, rawRequest('GET', list, ['Host: localhost']))).status).toBe(421)
      for (const name of ['a', 'b']) expect((await call(own, 'PUT', `${clusterPath(subscription, name)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
      const page = await call<{ nextLink?: string }>(own, 'GET', list, undefined, { referer: 'https://127.0.0.1:1/' })
      expect(page.body.nextLink?.startsWith('https://arc.example.com/subscriptions/')).toBe(true)
    } finally {
      await own.close()
    }
  })
})
