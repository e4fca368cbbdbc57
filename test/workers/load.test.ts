// The "done when" of the workers issue, bounded for CI: 300 accepted operations across 24 clusters from concurrent
// clients, three real worker processes SIGKILLed (and replaced) and this instance's Redis keys flushed at seeded
// random moments. Afterwards every operation is terminal and every extension is in the state its last accepted
// request asked for, on the resource and on the (simulated) cluster. A failure names its seed; ARCEXT_LOAD_SEED
// replays it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription } from '../helpers/harness.js'
import { loadSecretBox } from '../../core/secrets.js'
import { valuesDigestMatches } from '../../workers/drivers/values-digest.js'
import { allTerminal, operationIdOf, startRp, stuckOperationReport, type Body, type Rp, type SpawnedWorker } from './helpers/rp.js'

const CLUSTERS = 24
const EXTENSIONS = [
  { name: 'flux', type: 'microsoft.flux' },
  { name: 'dapr', type: 'microsoft.dapr' },
]
const TARGET_OPERATIONS = 300
const CLIENTS = 8
const WORKERS = 3
const KILLS = 3
const FLUSHES = 2

type Desired = { kind: 'present'; settings: Record<string, string> } | { kind: 'absent' }
type Target = { name: string; type: string; path: string }

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
  // A load test of the workers: throttling (Azure's 200 writes, 10 a second) would refuse most of these writes.
  rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '30', WORKER_CONCURRENCY: '8', THROTTLING: 'off' })
})
afterAll(() => rp?.close())

describe('load with failures', () => {
  it('leaves every operation terminal and every extension as its last accepted request asked', async () => {
    const seed = Number(process.env.ARCEXT_LOAD_SEED ?? Date.now() % 100_000)
    const next = random(seed)
    const sub = freshSubscription()
    const live: SpawnedWorker[] = await Promise.all(Array.from({ length: WORKERS }, () => rp.spawnWorker()))
    for (let c = 0; c < CLUSTERS; c += 1) {
      expect((await call(rp, 'PUT', `${clusterPath(sub, `c${c}`)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    }
    const targets: Target[] = Array.from({ length: CLUSTERS }, (_, c) => EXTENSIONS.map((e) => ({ ...e, path: extensionPath(sub, e.name, `c${c}`) }))).flat()
    const desired = new Map<string, Desired>()
    /** Operations the clients started; a repeated DELETE answers with the delete already running. */
    const started = new Set<string>()
    let requests = 0
    let serial = 0

    // Chaos at seeded moments, counted in accepted operations.
    const moments = (count: number) => Array.from({ length: count }, () => 20 + Math.floor(next() * (TARGET_OPERATIONS - 60)))
    const pending = [...moments(KILLS).map((at) => ({ at, what: 'kill' as const })), ...moments(FLUSHES).map((at) => ({ at, what: 'flush' as const }))].sort((a, b) => a.at - b.at)
    const chaos: Promise<unknown>[] = []
    const done = { kill: 0, flush: 0 }
    const afterAccept = (operationId: string) => {
      started.add(operationId)
      while (pending.length > 0 && pending[0]!.at <= started.size) {
        const { what } = pending.shift()!
        done[what] += 1
        if (what === 'flush') {
          chaos.push(rp.flushQueue())
        } else if (live.length > 0) {
          const victim = live.splice(Math.floor(next() * live.length), 1)[0]!
          victim.kill('SIGKILL')
          chaos.push(victim.exited.then(() => rp.spawnWorker()).then((replacement) => live.push(replacement)))
        }
      }
    }

    // Each client writes to an extension no other client is writing to, so the order of accepted requests per
    // extension is the order their answers arrive in.
    const busy = new Set<Target>()
    const writeOnce = async (target: Target) => {
      if (next() < 0.3) {
        const response = await call(rp, 'DELETE', `${target.path}?${EXTENSION_API}`)
        if (response.status === 202 || response.status === 204) desired.set(target.path, { kind: 'absent' })
        if (response.status === 202) afterAccept(operationIdOf(response))
        else expect(response.status).toBe(204)
        return
      }
      const settings = { generation: String((serial += 1)) }
      const response = await call<Body>(rp, 'PUT', `${target.path}?${EXTENSION_API}`, { properties: { extensionType: target.type, configurationSettings: settings } })
      if (response.status === 200 || response.status === 201) {
        desired.set(target.path, { kind: 'present', settings })
        afterAccept(operationIdOf(response))
      } else {
        expect(response.status, JSON.stringify(response.body)).toBe(409)
        expect(response.body.error.code).toBe('AnotherOperationInProgress')
      }
    }
    let stop = false
    const client = async () => {
      while (!stop && started.size < TARGET_OPERATIONS && requests < 5000) {
        const free = targets.filter((t) => !busy.has(t))
        const target = free[Math.floor(next() * free.length)]!
        requests += 1
        busy.add(target)
        try {
          await writeOnce(target)
        } finally {
          busy.delete(target)
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
    if (failedClient) throw new Error(`a client failed (seed ${seed}): ${(failedClient.reason as Error)?.message}`, { cause: failedClient.reason })
    expect(started.size, `seed ${seed}`).toBeGreaterThanOrEqual(TARGET_OPERATIONS)
    expect(done).toEqual({ kill: KILLS, flush: FLUSHES })

    const ops = await allTerminal(rp.db, sub, 90_000).catch(async (error: Error) => {
      throw new Error(`${error.message} (seed ${seed})\n${await stuckOperationReport(rp.db, sub)}`)
    })
    expect(ops.map((op) => op.id).sort()).toEqual([...started].sort())
    const failed = ops.filter((op) => op.status === 'Failed')
    expect(
      failed.map((op) => [op.kind, op.resourceId, op.error]),
      `seed ${seed}`,
    ).toEqual([])
    // Only a DELETE cancels: every Canceled operation was superseded by one.
    for (const op of ops.filter((o) => o.status === 'Canceled')) expect((op.error as Body).code).toBe('OperationCanceled')

    const mismatches: string[] = []
    for (const [path, want] of desired) {
      const got = await call<Body>(rp, 'GET', `${path}?${EXTENSION_API}`)
      const release = await rp.db.simulatedRelease.findFirst({
        where: { releaseName: path.split('/').pop()!, cluster: { idKey: path.split('/providers/Microsoft.KubernetesConfiguration')[0]!.toLowerCase() } },
      })
      if (want.kind === 'absent') {
        if (got.status !== 404 || release) mismatches.push(`${path}: want absent, got ${got.status} (release ${release ? 'present' : 'absent'})`)
      } else if (
        got.status !== 200 ||
        got.body.properties.provisioningState !== 'Succeeded' ||
        JSON.stringify(got.body.properties.configurationSettings) !== JSON.stringify(want.settings) ||
        release?.status !== 'deployed' ||
        !valuesDigestMatches(loadSecretBox(rp.config), { version: release.version, values: want.settings, protectedValues: {} }, release.valuesDigest)
      ) {
        mismatches.push(`${path}: want ${JSON.stringify(want.settings)}, got ${got.status} ${JSON.stringify(got.body.properties ?? got.body)}`)
      }
    }
    expect(mismatches, `seed ${seed}`).toEqual([])
  }, 150_000)
})
