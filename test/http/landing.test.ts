// GET /: a landing page for people (HTML when the browser asks for it) and scripts (JSON) naming the version, the
// listeners, the authentication mode and where to go next.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { call, startHarness, type Harness } from '../helpers/harness.js'

const VERSION = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
let h: Harness

beforeAll(async () => {
  h = await startHarness({ worker: false })
})
afterAll(() => h?.close())

describe('GET /', () => {
  it('answers JSON naming the version, listeners, auth mode and links, each of which answers', async () => {
    const page = await call<{ version: string; authMode: string; baseUrl: string; listeners: { http: string; https: string }; links: Record<string, string> }>(h, 'GET', '/')
    expect(page.status).toBe(200)
    expect(page.body).toMatchObject({ name: 'arcext', version: VERSION, authMode: 'dev', baseUrl: h.baseUrl })
    expect(page.body.listeners).toEqual({ http: 'on', https: 'on' })
    for (const href of Object.values(page.body.links)) {
      const answer = await fetch(`${h.baseUrl}${href}`)
      expect(answer.status, href).toBe(200)
    }
  })

  it('answers HTML to a browser', async () => {
    const page = await fetch(`${h.baseUrl}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await page.text()
    expect(html).toContain(`<h1>arcext ${VERSION}</h1>`)
    expect(html).toContain('<a href="/docs">docs</a>')
    expect(html).toContain('<a href="/metrics">metrics</a>')
  })
})
