// scripts/smoke.sh, the curl-only lifecycle CI pipelines run, against a real api and worker: it passes on a healthy
// instance over HTTP and HTTPS, and stops with a message naming the cause when an install fails or nothing answers.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { call, startHarness, type Harness } from '../helpers/harness.js'

const SCRIPT = path.join(repoRoot, 'scripts', 'smoke.sh')

let h: Harness

beforeAll(async () => {
  h = await startHarness({ env: { RETRY_AFTER_SECONDS: '1' } })
})
afterAll(() => h?.close())

async function smoke(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', SMOKE_TIMEOUT_SECONDS: '20', ...env }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('scripts/smoke.sh', () => {
  it('runs the whole lifecycle over HTTP, with the base URL as its argument', async () => {
    const run = await smoke([h.baseUrl])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /smoke: install Flux succeeded\nsmoke: Flux \d+\.\d+\.\d+ installed\nsmoke: change a setting succeeded\nsmoke: delete the extension succeeded\nsmoke: extension deleted\nsmoke: PASSED\n$/,
    )
  })

  it('runs over HTTPS with ARCEXT_URL and ARCEXT_CA', async () => {
    const run = await smoke([], { ARCEXT_URL: h.api.httpsUrl, ARCEXT_CA: h.api.certFile })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/smoke: PASSED\n$/)
  })

  it('stops with the operation error when the install fails', async () => {
    const subscription = '5a0b0e11-0000-4000-8000-000000000001'
    const cluster = `/subscriptions/${subscription}/resourceGroups/smoke/providers/Microsoft.Kubernetes/connectedClusters/smoke-cluster`
    const fault = await call(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', clusterId: cluster, transient: false, message: 'the chart refused the smoke test' })
    expect(fault.status).toBe(201)
    const run = await smoke([h.baseUrl], { SMOKE_SUBSCRIPTION: subscription })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^smoke: FAILED: install Flux ended Failed: .*the chart refused the smoke test/m)
    expect(run.stdout).not.toMatch(/PASSED/)
  })

  it('says what to check when nothing answers', async () => {
    const run = await smoke(['http://127.0.0.1:9'], { SMOKE_TIMEOUT_SECONDS: '1' })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^smoke: FAILED: http:\/\/127\.0\.0\.1:9\/readyz did not answer 200 within 1 s$/m)
  })
})
