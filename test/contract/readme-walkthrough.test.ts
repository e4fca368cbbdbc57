// The README's walkthroughs work as written. Every ```sh block of "Walkthrough with curl" runs, in order, in one
// bash session with the real curl against a harness over HTTPS (only the base URL and the certificate path are
// substituted); then the ```js block of "Using the Azure SDK for JavaScript" runs under node as a user would run it.
import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { call, startHarness, POLL, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const README_BASE = 'https://127.0.0.1:8443'
const README_CERT = '.arcext/tls/cert.pem'
const SUB = '00000000-0000-0000-0000-000000000001'
const EXTENSIONS = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/cluster1/providers/Microsoft.KubernetesConfiguration/extensions`

let h: Harness

beforeAll(async () => {
  // The walkthrough's loops sleep 1 s between polls, and the SDK waits Retry-After: 1 s keeps both short.
  h = await startHarness({ env: { RETRY_AFTER_SECONDS: '1' } })
})
afterAll(() => h?.close())

const readme = () => readFileSync(path.join(repoRoot, 'README.md'), 'utf8')

/** The text of a `## ` section, up to the next `## ` heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`)
  const end = markdown.indexOf('\n## ', start + 1)
  return markdown.slice(start, end < 0 ? undefined : end)
}

function fencedBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!)
}

/** Every substitution must hit: a README that moved away from its defaults would otherwise talk to the wrong server. */
function substitute(text: string, replacements: [string, string][]): string {
  let out = text
  for (const [from, to] of replacements) {
    expect(out, `README walkthrough no longer mentions ${from}`).toContain(from)
    out = out.split(from).join(to)
  }
  return out
}

interface CurlCall {
  block: number
  method: string
  path: string
  status: number
}

/** What each curl call was about, from its path. */
function kindOf(call: CurlCall): string {
  if (/\/operations\/[^/]+$/.test(call.path)) return 'operation'
  if (/\/extensions$/.test(call.path)) return 'extension list'
  if (/\/extensions\/[^/]+$/.test(call.path)) return 'extension'
  if (/\/connectedClusters\/[^/]+$/.test(call.path)) return 'cluster'
  return call.path
}

const run = promisify(execFile)

describe('README walkthroughs', () => {
  it('curl: every block of "Walkthrough with curl" runs as written and does what the text says', async () => {
    const blocks = fencedBlocks(section(readme(), 'Walkthrough with curl'), 'sh')
    expect(blocks.length).toBeGreaterThan(0)
    const script = substitute(blocks.map((block, i) => `echo; echo "@@block ${i}"; echo "@@block ${i}" >&2\n${block}`).join('\n'), [
      [README_BASE, h.api.httpsUrl],
      [README_CERT, h.api.certFile],
    ])
    // Real curl, wrapped only to report each call (method, URL, status) on stderr and end its output with a newline.
    const prelude = `set -e\ncurl() { command curl --write-out '\\n%{stderr}@@curl %{method} %{url_effective} %{http_code}\\n' "$@"; }\n`
    const { stdout, stderr } = await run('bash', ['-c', prelude + script], { cwd: repoRoot, timeout: 60_000 })

    let block = -1
    const calls: CurlCall[] = []
    for (const line of stderr.split('\n')) {
      const marker = /^@@block (\d+)$/.exec(line)
      if (marker) block = Number(marker[1])
      const logged = /^@@curl (\S+) (\S+) (\d+)$/.exec(line)
      if (logged) calls.push({ block, method: logged[1]!, path: new URL(logged[2]!).pathname, status: Number(logged[3]) })
    }
    const printed: Json[] = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))

    // Every call answered as the text says: registration 201, install 201, PATCH 202, DELETE 202, reads 200.
    const expectedStatus: Record<string, number> = { 'PUT cluster': 201, 'PUT extension': 201, 'PATCH extension': 202, 'DELETE extension': 202 }
    for (const c of calls) expect(c.status, `${c.method} ${c.path} (block ${c.block})`).toBe(expectedStatus[`${c.method} ${kindOf(c)}`] ?? 200)
    // The walkthrough covers the lifecycle: cluster, install, poll, read, patch, list, uninstall, in that order.
    const steps = calls.map((c) => `${c.method} ${kindOf(c)}`).filter((step, i, all) => step !== all[i - 1])
    expect(steps).toEqual(['PUT cluster', 'PUT extension', 'GET operation', 'GET extension', 'PATCH extension', 'GET operation', 'GET extension list', 'DELETE extension'])

    // What was printed: the cluster, the finished install operation, the installed extension, the patched list.
    expect(printed.find((j) => j.type === 'Microsoft.Kubernetes/connectedClusters')).toMatchObject({ name: 'cluster1', properties: { provisioningState: 'Succeeded' } })
    const operations = printed.filter((j) => typeof j.status === 'string' && String(j.id).includes('/operations/'))
    expect(operations.length).toBeGreaterThan(0)
    for (const op of operations) expect(op).toMatchObject({ status: 'Succeeded' })
    const flux = printed.find((j) => j.type === 'Microsoft.KubernetesConfiguration/extensions')
    expect(flux).toMatchObject({ id: `${EXTENSIONS}/flux`, properties: { extensionType: 'microsoft.flux', provisioningState: 'Succeeded' } })
    expect(flux!.properties.currentVersion).toMatch(/^\d+\.\d+\.\d+/)
    const list = printed.find((j) => Array.isArray(j.value))
    expect(list!.value).toEqual([expect.objectContaining({ name: 'flux', properties: expect.objectContaining({ configurationSettings: { 'multiTenancy.enforce': 'true' } }) })])
    expect(stdout).toMatch(/^HTTP\/[\d.]+ 202/m)

    // "once the operation succeeds the extension is gone (GET answers 404)"
    await expect.poll(async () => (await call(h, 'GET', `${EXTENSIONS}/flux?api-version=2023-05-01`)).status, POLL).toBe(404)
  })

  it('SDK: the "Using the Azure SDK for JavaScript" snippet runs unmodified under node', async () => {
    const [snippet, ...more] = fencedBlocks(section(readme(), 'Using the Azure SDK for JavaScript'), 'js')
    expect(snippet).toBeDefined()
    expect(more).toEqual([])
    // The snippet expects cluster1 from the curl walkthrough; register it here so this test stands alone.
    const cluster = await call(h, 'PUT', `${EXTENSIONS.replace(/\/providers\/Microsoft\.KubernetesConfiguration\/extensions$/, '')}?api-version=2024-01-01`, {
      location: 'eastus',
      properties: { distribution: 'k3s', kubernetesVersion: '1.30.4', totalNodeCount: 3, miscellaneousProperties: { architecture: 'amd64' } },
    })
    expect([200, 201]).toContain(cluster.status)

    // As `node lifecycle.mjs` in the repository: ESM, module resolution from the repository's node_modules.
    const child = spawn(process.execPath, ['--input-type=module'], {
      cwd: repoRoot,
      env: { ...process.env, ARCEXT_URL: h.api.httpsUrl, ARCEXT_CA: h.api.certFile },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 20_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdin.end(snippet)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code, stderr).toBe(0)

    const lines = stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^created dapr Succeeded \d+\.\d+\.\d+/)
    expect(lines[1]).toBe('updated Succeeded {"global.ha.enabled":"false"}')
    expect(lines.filter((l) => l.startsWith('listed'))).toContain('listed dapr Succeeded')
    expect(lines.at(-1)).toBe('deleted')
    expect((await call(h, 'GET', `${EXTENSIONS}/dapr?api-version=2023-05-01`)).status).toBe(404)
  })
})
