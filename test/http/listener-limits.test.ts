// Slow clients and connection floods: both listeners time out slow headers and slow bodies with 408 in the envelope,
// and cap open connections (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, MAX_CONNECTIONS). Also the throttle bypasses of
// issue 13: a percent-encoded subscription id and misspelt, unrouted paths spend a budget like any other request.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, call, clusterPath, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'
import { exchange, jsonBody } from '../helpers/raw-http.js'

describe('timeouts and the connection cap', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000', MAX_CONNECTIONS: '4' } })
  })
  afterAll(() => h?.close())

  it('answers headers that never finish with 408 on both listeners', async () => {
    for (const base of [h.baseUrl, h.api.httpsUrl]) {
      const response = await exchange(base, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', { timeoutMs: 10_000 })
      expect(response.status, base).toBe(408)
      expect(jsonBody(response).error.code).toBe('RequestTimeout')
      expect(response.elapsedMs).toBeLessThan(5000)
    }
  })

  it('answers a body that never finishes with 408 on both listeners, instead of holding the socket', async () => {
    const sub = freshSubscription()
    const head = `PUT ${clusterPath(sub)}?${CLUSTER_API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`
    for (const base of [h.baseUrl, h.api.httpsUrl]) {
      // a trickle: a byte now and then, never the whole body
      const response = await exchange(base, `${head}{"loc`, { then: { delayMs: 800, raw: 'ation' }, timeoutMs: 10_000 })
      expect(response.status, base).toBe(408)
      expect(jsonBody(response).error.code).toBe('RequestTimeout')
      expect(response.elapsedMs).toBeLessThan(6000)
    }
    expect((await call(h, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(404)
  })

  it('closes connections past MAX_CONNECTIONS at once, and serves again when they go', async () => {
    const open: net.Socket[] = []
    const connect = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const { port } = new URL(h.baseUrl)
        const socket = net.connect(Number(port), '127.0.0.1', () => resolve(socket))
        socket.on('error', reject)
      })
    try {
      for (let i = 0; i < 4; i++) open.push(await connect())
      const extra = await connect()
      const closed = await new Promise<boolean>((resolve) => {
        extra.on('close', () => resolve(true))
        extra.on('error', () => undefined)
        extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
        setTimeout(() => resolve(false), 3000)
      })
      expect(closed).toBe(true)
    } finally {
      for (const socket of open) socket.destroy()
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    const response = await exchange(h.baseUrl, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
    expect(response.status).toBe(200)
  })
})

describe('throttling reads the same subscription as storage', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { THROTTLE_READS_BUCKET: '3', THROTTLE_READS_PER_SECOND: '0.001' } })
  })
  afterAll(() => h?.close())

  it('spends one budget whatever percent-encoding or casing names the subscription', async () => {
    const sub = freshSubscription()
    const encoded = `%${sub.charCodeAt(0).toString(16)}${sub.slice(1)}`
    const spellings = [sub, sub.toUpperCase(), encoded]
    const answers = []
    for (const spelling of [...spellings, encoded]) answers.push(await call(h, 'GET', `${clusterPath(spelling)}?${CLUSTER_API}`))
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 429])
    expect(answers[2]!.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('0')
    expect(answers[3]!.body).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } })
    expect(answers[3]!.headers.get('retry-after')).toMatch(/^\d+$/)
  })

  it('throttles misspelt and unrouted paths, and subscriptions that are not GUIDs, by client address', async () => {
    // this client's tenant-level bucket: 3 reads (refilled far too slowly to matter here), whichever of these paths spends it
    const paths = [
      `/subcriptions/${freshSubscription()}/resourceGroups/rg1?${CLUSTER_API}`,
      `/subscriptions/not-a-guid/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/c1?${CLUSTER_API}`,
      '/nothing/here',
      `/subcriptions/${freshSubscription()}/anything`,
    ]
    const answers = []
    for (const path of paths) answers.push(await call(h, 'GET', path))
    expect(answers.map((a) => a.status)).toEqual([404, 400, 404, 429])
    expect(answers[0]!.headers.get('x-ms-ratelimit-remaining-tenant-reads')).toBe('2')
    // the health probe and a real subscription keep their own budgets
    expect((await call(h, 'GET', '/healthz')).status).toBe(200)
    expect((await call(h, 'GET', `${clusterPath(freshSubscription())}?${CLUSTER_API}`)).status).toBe(404)
  })
})
