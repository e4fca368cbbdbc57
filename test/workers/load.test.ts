// The "done when" of the workers issue, bounded for CI: 200 accepted operations across 20 clusters from concurrent
// clients, two real worker processes, one of them SIGKILLed and replaced part-way, and this instance's Redis keys
// flushed later on. Afterwards every operation is terminal and every extension is in the state its last accepted
// request asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription } from '../helpers/harness.js'
import { allTerminal, operationIdOf, startRp, stuckOperationReport, type Body, type Rp, type SpawnedWorker } from './helpers/rp.js'

const CLUSTERS = 20
const EXTENSIONS = [
  { name: 'flux', type: 'microsoft.flux' },
  { name: 'dapr', type: 'microsoft.dapr' },
]
const TARGET_OPERATIONS = 200
const CLIENTS = 8
const KILL_AT = 60
const FLUSH_AT = 130

type Desired = { kind: 'present'; settings: Record<string, string> } | { kind: 'absent' }

/** A seeded generator, so a failure can be replayed by fixing the seed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

let rp: Rp
beforeAll(async () => {
  rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '30', WORKER_CONCURRENCY: '8' })
})
afterAll(() => rp?.close())

describe('load with failures', () => {
  it('leaves every operation terminal and every extension as its last accepted request asked', async () => {
    const seed = Date.now() % 100_000
    const next = random(seed)
    const sub = freshSubscription()
    const workers: SpawnedWorker[] = await Promise.all([rp.spawnWorker(), rp.spawnWorker()])
    for (let c = 0; c < CLUSTERS; c += 1) {
      expect((await call(rp, 'PUT', `${clusterPath(sub, `c${c}`)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    }
    const targets = Array.from({ length: CLUSTERS }, (_, c) => EXTENSIONS.map((e) => ({ ...e, path: extensionPath(sub, e.name, `c${c}`) }))).flat()
    const desired = new Map<string, Desired>()
    /** Operations the clients started; a repeated DELETE answers with the delete already running. */
    const started = new Set<string>()
    let requests = 0
    let serial = 0
    const chaos: Promise<unknown>[] = []
    let killed = false
    let flushed = false

    const afterAccept = (operationId: string) => {
      started.add(operationId)
      const accepted = started.size
      if (!killed && accepted >= KILL_AT) {
        killed = true
        const victim = workers[Math.floor(next() * workers.length)]!
        victim.kill('SIGKILL')
        chaos.push(victim.exited.then(() => rp.spawnWorker()))
      }
      if (!flushed && accepted >= FLUSH_AT) {
        flushed = true
        chaos.push(rp.flushQueue())
      }
    }

    let stop = false
    const client = async () => {
      while (!stop && started.size < TARGET_OPERATIONS && requests < 3000) {
        requests += 1
        const target = targets[Math.floor(next() * targets.length)]!
        if (next() < 0.3) {
          const response = await call(rp, 'DELETE', `${target.path}?${EXTENSION_API}`)
          if (response.status === 202 || response.status === 204) desired.set(target.path, { kind: 'absent' })
          if (response.status === 202) afterAccept(operationIdOf(response))
          else expect([204, 409]).toContain(response.status)
        } else {
          const settings = { generation: String((serial += 1)) }
          const response = await call<Body>(rp, 'PUT', `${target.path}?${EXTENSION_API}`, { properties: { extensionType: target.type, configurationSettings: settings } })
          if (response.status === 200 || response.status === 201) {
            desired.set(target.path, { kind: 'present', settings })
            afterAccept(operationIdOf(response))
          } else {
            expect(response.status).toBe(409)
            expect(response.body.error.code).toBe('AnotherOperationInProgress')
          }
        }
        // Clients pause now and then, so extensions settle and accept new writes.
        if (next() < 0.3) await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    // One failing client stops the others; all of them and the chaos they started end before the failure is
    // reported, so the server is quiet when it is closed.
    const clients = await Promise.allSettled(Array.from({ length: CLIENTS }, () => client().catch((error: unknown) => ((stop = true), Promise.reject(error)))))
    await Promise.all(chaos)
    const failedClient = clients.find((outcome) => outcome.status === 'rejected')
    if (failedClient) throw failedClient.reason
    expect(started.size, `seed ${seed}`).toBeGreaterThanOrEqual(TARGET_OPERATIONS)
    expect(killed && flushed).toBe(true)

    const ops = await allTerminal(rp.db, sub, 90_000).catch(async (error: Error) => {
      throw new Error(`${error.message} (seed ${seed})\n${await stuckOperationReport(rp.db, sub)}`)
    })
    expect(ops.map((op) => op.id).sort()).toEqual([...started].sort())
    const failed = ops.filter((op) => op.status === 'Failed')
    expect(failed.map((op) => [op.kind, op.resourceId, op.error]), `seed ${seed}`).toEqual([])
    // Only a DELETE cancels: every Canceled operation was superseded by one.
    for (const op of ops.filter((o) => o.status === 'Canceled')) expect((op.error as Body).code).toBe('OperationCanceled')

    const mismatches: string[] = []
    for (const [path, want] of desired) {
      const got = await call<Body>(rp, 'GET', `${path}?${EXTENSION_API}`)
      const release = await rp.db.simulatedRelease.findFirst({ where: { releaseName: path.split('/').pop()!, cluster: { idKey: path.split('/providers/Microsoft.KubernetesConfiguration')[0]!.toLowerCase() } } })
      if (want.kind === 'absent') {
        if (got.status !== 404 || release) mismatches.push(`${path}: want absent, got ${got.status} (release ${release ? 'present' : 'absent'})`)
      } else if (
        got.status !== 200 ||
        got.body.properties.provisioningState !== 'Succeeded' ||
        JSON.stringify(got.body.properties.configurationSettings) !== JSON.stringify(want.settings) ||
        release?.status !== 'deployed'
      ) {
        mismatches.push(`${path}: want ${JSON.stringify(want.settings)}, got ${got.status} ${JSON.stringify(got.body.properties ?? got.body)}`)
      }
    }
    expect(mismatches, `seed ${seed}`).toEqual([])
  }, 120_000)
})
