// WORKER_METRICS_PORT: a worker's own /metrics, with what only the process doing the work sees: operations it ended
// by kind and status with durations, failures and retries by error code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorkerProcess } from '../../workers/worker-process.js'
import { loadConfig } from '../../core/config.js'
import { EXTENSION_API, POLL, call, extensionPath, freshSubscription, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

let h: Harness
let worker: Awaited<ReturnType<typeof startWorkerProcess>>

beforeAll(async () => {
  h = await startHarness({ worker: false })
  worker = await startWorkerProcess({ ...h.config, workerMetricsPort: 0 }, { reconcileIntervalMs: 500, reconcileGraceMs: 1000 })
})
afterAll(async () => {
  await worker?.stop()
  await h?.close()
})

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`)
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && wanted.every((pair) => candidate.includes(pair)))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('worker metrics', () => {
  it('is off unless WORKER_METRICS_PORT is set', () => {
    expect(loadConfig({}).workerMetricsPort).toBeNull()
    expect(loadConfig({ WORKER_METRICS_PORT: 'off' }).workerMetricsPort).toBeNull()
    expect(loadConfig({ WORKER_METRICS_PORT: '9464' }).workerMetricsPort).toBe(9464)
    expect(() => loadConfig({ WORKER_METRICS_PORT: 'x' })).toThrow(/^WORKER_METRICS_PORT=x is not an integer between 0 and 65535$/)
  })

  it('counts the operations this worker ended, by kind, status and error code, and the retries it scheduled', async () => {
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const good = freshSubscription()
    await registerCluster(h, good)
    const bad = freshSubscription()
    await registerCluster(h, bad)
    const badCluster = `/subscriptions/${bad}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/cluster1`
    expect((await call(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', clusterId: badCluster, transient: true, remainingCalls: 1 })).status).toBe(201)
    expect((await call(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', clusterId: badCluster, transient: false, extensionType: 'microsoft.dapr' })).status).toBe(201)
    for (const [sub, name, type] of [
      [good, 'flux', 'microsoft.flux'],
      [bad, 'flux', 'microsoft.flux'],
      [bad, 'dapr', 'microsoft.dapr'],
    ] as const) {
      expect((await call(h, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, { properties: { extensionType: type } })).status).toBe(201)
    }
    await expect.poll(() => provisioningState(h, `${extensionPath(good, 'flux')}?${EXTENSION_API}`), POLL).toBe('Succeeded')
    await expect.poll(() => provisioningState(h, `${extensionPath(bad, 'flux')}?${EXTENSION_API}`), POLL).toBe('Succeeded')
    await expect.poll(() => provisioningState(h, `${extensionPath(bad, 'dapr')}?${EXTENSION_API}`), POLL).toBe('Failed')

    const response = await fetch(worker.metricsUrl!)
    expect(response.status).toBe(200)
    const text = await response.text()
    // At least: the run's suites share one database, and this worker's reconciler also ends operations other suites
    // left without a worker.
    expect(sample(text, 'arcext_worker_operation_duration_seconds_count', { kind: 'extension.install', status: 'Succeeded' })).toBeGreaterThanOrEqual(2)
    expect(sample(text, 'arcext_worker_operation_duration_seconds_count', { kind: 'extension.install', status: 'Failed' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'arcext_worker_operation_failures_total', { code: 'HelmInstallFailed' })).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^arcext_worker_retries_total\{code="[A-Za-z]+"\} [1-9]\d*$/m)
    expect(text).toMatch(/^arcext_worker_process_resident_memory_bytes \d+/m)
    expect((await fetch(worker.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404)
  })
})
