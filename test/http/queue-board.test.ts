// GET /admin/queues: bull-board over the operations queue. Its page and every asset the page names load, its API
// lists the queue and the jobs a real worker ran, a job shows nothing but its operation's id (never a setting, let
// alone a protected one), and it is read-only and keeps the operator endpoints' cross-site rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

async function installed(sub: string, name: string, properties: Record<string, unknown>): Promise<string> {
  const put = await call(h, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, { properties })
  expect(put.status, JSON.stringify(put.body)).toBe(201)
  const asyncUrl = put.headers.get('azure-asyncoperation')!
  await until(
    () => call<{ status: string }>(h, 'GET', asyncUrl),
    (r) => r.body.status === 'Succeeded',
  )
  return new URL(asyncUrl).pathname.split('/').pop()!
}

describe('the queue UI', () => {
  it('serves its page and every script, stylesheet and icon the page names', async () => {
    const page = await fetch(`${h.baseUrl}/admin/queues`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('arcext queues')
    const base = /<base href="([^"]+)"/.exec(html)?.[1] ?? '/admin/queues/'
    expect(base).toBe('/admin/queues/')
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css|png|svg|ico))"/g)].map((m) => m[1]!)
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true)
    for (const asset of assets) {
      const url = new URL(asset, `${h.baseUrl}${base}`)
      const answer = await fetch(url)
      expect(answer.status, url.pathname).toBe(200)
      expect((await answer.arrayBuffer()).byteLength, url.pathname).toBeGreaterThan(0)
    }
  })

  it('lists the operations queue with the job a worker ran, which carries only the operation id', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const secret = 'board-secret-2f9c'
    const setting = 'board-setting-71aa'
    const operationId = await installed(sub, 'flux', { extensionType: 'microsoft.flux', configurationSettings: { 'a.b': setting }, configurationProtectedSettings: { token: secret } })

    const queues = await call<Json>(h, 'GET', '/admin/queues/api/queues?activeQueue=operations&status=completed&page=1&jobsPerPage=1000')
    expect(queues.status).toBe(200)
    const queue = (queues.body.queues as Json[]).find((q) => q.name === 'operations')!
    expect(queue).toMatchObject({ readOnlyMode: true, type: 'bullmq' })
    expect((await call(h, 'GET', '/admin/queues/api/redis/stats')).status).toBe(200)
    const job = (queue.jobs as Json[]).find((j) => j.id === operationId)
    expect(job, 'the install job among the completed ones').toBeDefined()
    expect(job!.data).toEqual({ operationId })

    const one = await call<Json>(h, 'GET', `/admin/queues/api/queues/operations/${operationId}`)
    expect(one.status).toBe(200)
    expect(one.body.job).toMatchObject({ id: operationId, data: { operationId } })
    for (const answer of [queues.body, one.body]) {
      const text = JSON.stringify(answer)
      expect(text).not.toContain(secret)
      expect(text).not.toContain(setting)
    }
  })

  it('is read-only, and refuses cross-site requests with the ARM envelope', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const operationId = await installed(sub, 'flux', { extensionType: 'microsoft.flux' })
    const clean = await call<Json>(h, 'PUT', `/admin/queues/api/queues/operations/${operationId}/clean`, {})
    expect(clean.status).toBe(405)
    expect((await call<Json>(h, 'GET', `/admin/queues/api/queues/operations/${operationId}`)).status).toBe(200)

    const crossSite = await call<Json>(h, 'GET', '/admin/queues/api/queues', undefined, { origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)
    expect(crossSite.body.error.code).toBe('CrossOriginRequestRefused')
    const formPost = await call<Json>(h, 'PUT', '/admin/queues/api/queues/pause', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' })
    expect(formPost.status).toBe(415)
    expect(formPost.body.error.code).toBe('UnsupportedMediaType')
  })

  it('answers odd requests with a 4xx, never a 5xx', async () => {
    const odd: [string, string, unknown?][] = [
      ['GET', '/admin/queues/api/queues/operations/00000000-0000-4000-8000-000000000000'],
      ['GET', '/admin/queues/api/queues/nope/1'],
      ['GET', '/admin/queues/api/queues/operations/%00'],
      ['GET', '/admin/queues/api/queues?activeQueue=operations&status=bogus&page=-1&jobsPerPage=abc'],
      ['GET', '/admin/queues/api/queues?activeQueue=nope'],
      ['GET', '/admin/queues/api/queues/operations/1/logs'],
      ['GET', '/admin/queues/api/queues/operations/1/flow'],
      ['GET', '/admin/queues/queue/operations/%2e%2e%2f%2e%2e'],
      ['GET', '/admin/queues/static/../../package.json'],
      ['GET', '/admin/queues/static/%2e%2e/%2e%2e/package.json'],
      ['POST', '/admin/queues/api/queues/operations/add', { name: 'extension.install', data: { operationId: 'x' } }],
      ['PUT', '/admin/queues/api/queues/operations/retry/failed', {}],
      ['PUT', '/admin/queues/api/queues/operations/obliterate', {}],
      ['PUT', '/admin/queues/api/queues/pause', {}],
      ['PATCH', '/admin/queues/api/queues/operations/1/update-data', { data: {} }],
      ['PUT', '/admin/queues/api/queues/operations/1/retry', '{not json'],
    ]
    for (const [method, url, body] of odd) {
      const answer = await fetch(`${h.baseUrl}${url}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await answer.text()
      expect(answer.status, `${method} ${url}: ${text.slice(0, 200)}`).toBeLessThan(500)
      // Pausing all queues skips read-only ones and says 200; the check below shows nothing was paused.
      if (method !== 'GET' && !url.endsWith('/api/queues/pause')) expect(answer.status, `${method} ${url}`).toBeGreaterThanOrEqual(400)
      expect(text).not.toContain('"version"') // no file outside the board's assets
    }
    // The read-only queue took none of it: no job was added and the queue is not paused.
    const queues = await call<Json>(h, 'GET', '/admin/queues/api/queues')
    expect((queues.body.queues as Json[]).find((q) => q.name === 'operations')).toMatchObject({ isPaused: false })
  })

  it('is linked from the landing page', async () => {
    const page = await call<{ links: Record<string, string> }>(h, 'GET', '/')
    expect(page.body.links.queues).toBe('/admin/queues')
  })
})
