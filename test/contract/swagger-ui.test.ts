// Swagger UI at /docs, rendered by Debian's chromium (driven by playwright-core, which downloads no browser) on the
// http and the https listener: the operations are listed, and "Try it out" → Execute of a cluster GET reaches this
// listener and shows the 200. Skipped, with a message, where chromium is not installed (.ci/run installs it).
import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, call, clusterPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(dir, 'chromium'), constants.X_OK)
      return path.join(dir, 'chromium')
    } catch {
      // not in this directory
    }
  }
  return undefined
}

const executablePath = findChromium()
if (!executablePath) console.warn('test/contract/swagger-ui.test.ts: SKIPPED, chromium is not installed; `apt-get install -y chromium` (.ci/run does it) to run it.')

let h: Harness
let browser: Browser
const sub = freshSubscription()

beforeAll(async () => {
  if (!executablePath) return
  h = await startHarness({ worker: false })
  await registerCluster(h, sub, 'docs-cluster')
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await h?.close()
})

/** Fills a parameter row of an expanded operation in Swagger UI: a text input, or a select for an enum. */
async function fill(page: Page, operation: string, name: string, value: string): Promise<void> {
  const row = page.locator(`${operation} tr[data-param-name="${name}"]`)
  if ((await row.locator('select').count()) > 0) await row.locator('select').selectOption(value)
  else await row.locator('input').fill(value)
}

describe.skipIf(!executablePath)('Swagger UI in headless chromium', () => {
  for (const listener of ['http', 'https'] as const) {
    it(`lists the operations and runs a cluster GET with "Try it out" on the ${listener} listener`, async () => {
      const base = listener === 'http' ? h.api.httpUrl : h.api.httpsUrl
      const context = await browser.newContext({ ignoreHTTPSErrors: true })
      try {
        const page = await context.newPage()
        const pageErrors: string[] = []
        page.on('pageerror', (error) => pageErrors.push(error.message))
        const requested: string[] = []
        page.on('request', (request) => requested.push(request.url()))

        await page.goto(`${base}/docs`)
        await page.locator('.opblock').first().waitFor()
        // Each operation's block is identified as operations-<tag>-<operationId>.
        const operationIds = (await page.locator('.opblock').evaluateAll((blocks) => blocks.map((block) => block.id))).map((id) => id.split('-').pop())
        const served = (await call<{ paths: Record<string, Record<string, { operationId?: string }>> }>(h, 'GET', '/openapi.json')).body
        const documented = Object.values(served.paths).flatMap((item) => Object.values(item).flatMap((operation) => (operation.operationId ? [operation.operationId] : [])))
        expect(operationIds.length).toBe(documented.length)
        expect(new Set(operationIds)).toEqual(new Set(documented))

        const operation = `[id$="-ConnectedCluster_Get"]`
        await page.locator(`${operation} .opblock-summary`).first().click()
        await page.locator(`${operation} .try-out__btn`).click()
        await fill(page, operation, 'subscriptionId', sub)
        await fill(page, operation, 'resourceGroupName', 'rg1')
        await fill(page, operation, 'clusterName', 'docs-cluster')
        await fill(page, operation, 'api-version', CLUSTER_API.split('=')[1]!)
        await page.locator(`${operation} .execute`).click()

        const status = page.locator(`${operation} .live-responses-table .response .response-col_status`).first()
        await status.waitFor()
        expect((await status.textContent())?.trim()).toBe('200')
        const body = await page.locator(`${operation} .live-responses-table .response-col_description .microlight`).first().textContent()
        expect(JSON.parse(body ?? '{}')).toMatchObject({ name: 'docs-cluster', id: expect.stringMatching(new RegExp(`${clusterPath(sub, 'docs-cluster')}$`, 'i')) })

        // Every request the page sent, the cluster GET included, went to the listener that served it.
        const get = requested.find((url) => url.includes('/connectedClusters/docs-cluster'))
        expect(get).toBe(`${base}${clusterPath(sub, 'docs-cluster')}?${CLUSTER_API}`)
        for (const url of requested) expect(url.startsWith(`${base}/`), url).toBe(true)
        expect(pageErrors).toEqual([])
      } finally {
        await context.close()
      }
    }, 60_000)
  }
})
