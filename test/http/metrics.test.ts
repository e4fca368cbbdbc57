// GET /metrics: Prometheus' text format with the api's own request counters and the fleet-wide operation, queue and
// outbox facts, labelled by route template (never by a concrete URL, so resources never become label values).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, POLL, call, extensionPath, freshSubscription, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

async function scrape(): Promise<string> {
  const response = await fetch(`${h.baseUrl}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return response.text()
}

/** The value of one sample, e.g. sample(text, 'arcext_operations', { kind: 'extension.install', status: 'Succeeded' }). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3])
  }
  return undefined
}

describe('GET /metrics', () => {
  it('counts requests by route template and status, and reports operations, queue and outbox', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    expect((await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
    expect((await call(h, 'PUT', url.replace('flux', 'bad'), { properties: {} })).status).toBe(400)

    const text = await scrape()
    const routes = [...text.matchAll(/^arcext_http_requests_total\{route="([^"]*)"/gm)].map((m) => m[1]!)
    expect(routes.length).toBeGreaterThan(0)
    for (const seen of routes) expect(seen).not.toContain(sub)
    const extensionRoute = routes.find((seen) => seen.endsWith('/extensions/:extensionName')) ?? 'no extension route'
    expect(sample(text, 'arcext_http_requests_total', { route: extensionRoute, method: 'PUT', status: '201' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'arcext_http_requests_total', { route: extensionRoute, method: 'PUT', status: '400' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'arcext_http_request_duration_seconds_count', { route: extensionRoute, method: 'PUT' })).toBeGreaterThanOrEqual(2)
    expect(sample(text, 'arcext_operations', { kind: 'extension.install', status: 'Succeeded' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'arcext_operation_duration_seconds', { kind: 'extension.install', status: 'Succeeded', quantile: '0.5' })).toBeGreaterThan(0)
    expect(sample(text, 'arcext_queue_jobs', { state: 'waiting' })).toBe(0)
    // The database is shared by every suite of the run (one per run), and suites without a worker leave outbox rows.
    expect(sample(text, 'arcext_outbox_rows')).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'arcext_outbox_oldest_seconds')).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'arcext_throttled_requests_total')).toBe(0)
    expect(sample(text, 'arcext_api_process_resident_memory_bytes')).toBeGreaterThan(0)
  })

  it('labels requests no route matched as unmatched', async () => {
    expect((await call(h, 'GET', '/no/such/route/for-metrics')).status).toBe(404)
    const text = await scrape()
    expect(text).not.toContain('for-metrics')
    expect(sample(text, 'arcext_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1)
  })
})
