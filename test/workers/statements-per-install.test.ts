// Issue 15: a worker operation costs at most 5 Postgres statements (claim, read of the simulated release, its save,
// finish, lock release). Counted on the wire (every statement the worker process sends, on its pool and its lock
// session), over installs through the simulated driver at zero latency, one at a time (so no lock release shares a
// statement with another).
// Background timers are slowed to minutes so the count is the installs' alone: a count, not a timing, so it cannot
// flake on a slow machine.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import type { Running } from '../../core/main-process.js'
import { startWorkerProcess } from '../../workers/worker-process.js'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster } from '../helpers/harness.js'
import { startPgWireCounter, type PgWireCounter } from '../helpers/pg-wire-counter.js'
import { FAST_WORKER, asyncUrl, settled, startRp, type Rp } from './helpers/rp.js'

const INSTALLS = 10
const MAX_STATEMENTS_PER_OPERATION = 5

describe('Postgres statements per worker operation', () => {
  let rp: Rp
  let counter: PgWireCounter
  let worker: Running
  beforeAll(async () => {
    rp = await startRp()
    const postgres = new URL(inject('databaseUrl'))
    counter = await startPgWireCounter({ host: postgres.hostname, port: Number(postgres.port || 5432) })
    const minutes = 600_000
    worker = await startWorkerProcess(
      { ...rp.config, databaseUrl: counter.urlFor(rp.config.databaseUrl) },
      { ...FAST_WORKER, reconcileIntervalMs: minutes, dispatcher: { pollMs: minutes, graceMs: minutes }, runner: { ...FAST_WORKER.runner, watchIntervalMs: minutes } },
    )
  })
  afterAll(async () => {
    await worker?.stop()
    await rp?.close()
    await counter?.close()
  })

  it(`runs a simulated install in at most ${MAX_STATEMENTS_PER_OPERATION} statements`, async () => {
    const sub = freshSubscription()
    const clusters = await Promise.all(Array.from({ length: INSTALLS }, (_, i) => registerCluster(rp, sub, `c${i}`)))
    expect(clusters).toHaveLength(INSTALLS)
    // One install first, so connections the worker opens lazily are open before counting.
    const warmup = await call(rp, 'PUT', `${extensionPath(sub, 'flux', 'c0')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect((await settled(rp, asyncUrl(warmup))).status).toBe('Succeeded')
    await new Promise((resolve) => setTimeout(resolve, 200))

    const before = counter.statements.length
    for (let i = 1; i < INSTALLS; i += 1) {
      const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux', `c${i}`)}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
      expect(put.status).toBe(201)
      expect((await settled(rp, asyncUrl(put))).status).toBe('Succeeded')
    }
    await new Promise((resolve) => setTimeout(resolve, 200)) // the lock release follows the Succeeded the api shows
    const perInstall = (counter.statements.length - before) / (INSTALLS - 1)
    console.info(`statements per simulated install: ${perInstall}`)
    expect(perInstall).toBeGreaterThan(0)
    expect(perInstall).toBeLessThanOrEqual(MAX_STATEMENTS_PER_OPERATION)
  })

  it('leaves an idle worker with default timings sending fewer than one statement a second', async () => {
    // Its dispatcher waits on LISTEN (a safety poll every 5 s) and its reconciler looks every RECONCILE_INTERVAL_MS.
    const idle = await startWorkerProcess({ ...rp.config, databaseUrl: counter.urlFor(rp.config.databaseUrl), reconcileIntervalMs: 5000 })
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000)) // past startup
      const before = counter.statements.length
      const windowMs = 6000
      await new Promise((resolve) => setTimeout(resolve, windowMs))
      const perSecond = (counter.statements.length - before) / (windowMs / 1000)
      console.info(`statements per second from an idle worker: ${perSecond}`)
      expect(perSecond).toBeLessThanOrEqual(1)
    } finally {
      await idle.stop()
    }
  }, 30_000)
})
