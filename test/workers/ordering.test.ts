// Item 2: one operation in flight per extension (later writes get 409 AnotherOperationInProgress, docs/arm-rules.md rule 48);
// conflicting types on one cluster are accepted one at a time, and an uninstall finishes before a conflicting type
// can be installed; the per-subject lock that keeps jobs from interleaving holds across processes.
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { claimOperation } from '../../core/store/operation-claim.js'
import { SubjectLocks } from '../../workers/subject-locks.js'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, until } from '../helpers/harness.js'
import { addFault, allTerminal, asyncUrl, settled, startRp, type Body, type Rp } from './helpers/rp.js'

/** Both Container Apps and App Service support OpenShift; they may not share a cluster. */
const openshiftCluster = { location: 'eastus', properties: { distribution: 'openshift', kubernetesVersion: '1.30.4', totalNodeCount: 3, miscellaneousProperties: { architecture: 'amd64' } } }

let rp: Rp
beforeAll(async () => {
  rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '300' })
  await rp.startWorker()
})
afterAll(() => rp?.close())

describe('one operation per extension', () => {
  it('accepts exactly one of many concurrent PUTs creating the same extension; the rest get 409', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    // The install must still be running when the last of the PUTs is judged, also on a loaded machine where eight
    // PUTs take longer than the file's 300 ms step.
    await addFault(rp, { kind: 'latency', clusterId: clusterPath(sub), durationMs: 2000 })
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call<Body>(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux', configurationSettings: { writer: String(i) } } }),
      ),
    )
    const statuses = responses.map((r) => r.status).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409])
    for (const rejected of responses.filter((r) => r.status === 409)) expect(rejected.body.error.code).toBe('AnotherOperationInProgress')
    const winner = responses.find((r) => r.status === 201)!
    expect((await settled(rp, asyncUrl(winner))).status).toBe('Succeeded')

    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status])).toEqual([['extension.install', 'Succeeded']])
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(got.body.properties.configurationSettings).toEqual(winner.body.properties.configurationSettings)
  })

  it('accepts exactly one of concurrent updates and rejects writes while it runs, then accepts the next', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const created = await call(rp, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    await settled(rp, asyncUrl(created))
    const updates = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call<Body>(rp, 'PATCH', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { configurationSettings: { round: String(i) } } })),
    )
    expect(updates.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409, 409])
    const accepted = updates.find((r) => r.status === 202)!
    const put = await call<Body>(rp, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    expect(put.status).toBe(409)
    expect(put.body.error).toMatchObject({ code: 'AnotherOperationInProgress', target: extensionPath(sub, 'dapr') })
    expect((await settled(rp, asyncUrl(accepted))).status).toBe('Succeeded')
    const next = await call(rp, 'PATCH', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { configurationSettings: { round: 'last' } } })
    expect(next.status).toBe(202)
    expect((await settled(rp, asyncUrl(next))).status).toBe('Succeeded')

    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Succeeded'],
      ['extension.update', 'Succeeded'],
      ['extension.update', 'Succeeded'],
    ])
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)
    expect(got.body.properties.configurationSettings).toEqual({ round: 'last' })
  })
})

describe('operations on one cluster', () => {
  it('accepts only one of two concurrent creates that may not coexist', async () => {
    const sub = freshSubscription()
    await call(rp, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, openshiftCluster)
    for (let round = 0; round < 3; round += 1) {
      const [apps, web] = await Promise.all([
        call<Body>(rp, 'PUT', `${extensionPath(sub, `apps-${round}`)}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.app.environment' } }),
        call<Body>(rp, 'PUT', `${extensionPath(sub, `web-${round}`)}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.web.appservice' } }),
      ])
      const outcomes = [apps, web]
      expect(outcomes.map((r) => r.status).sort()).toEqual([201, 409])
      const loser = outcomes.find((r) => r.status === 409)!
      expect(['ConflictingExtension', 'AnotherOperationInProgress']).toContain(loser.body.error.code)
      const winner = outcomes.find((r) => r.status === 201)!
      expect((await settled(rp, asyncUrl(winner))).status).toBe('Succeeded')
      const removed = await call(rp, 'DELETE', `${winner.body.id}?${EXTENSION_API}`)
      expect((await settled(rp, asyncUrl(removed))).status).toBe('Succeeded')
    }
    const ops = await allTerminal(rp.db, sub)
    expect(ops.every((op) => op.status === 'Succeeded')).toBe(true)
    expect(ops.map((op) => op.kind)).toEqual(['extension.install', 'extension.delete', 'extension.install', 'extension.delete', 'extension.install', 'extension.delete'])
  })

  it('installs a conflicting type only after the uninstall of the other has finished', async () => {
    const sub = freshSubscription()
    await call(rp, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, openshiftCluster)
    const web = await call(rp, 'PUT', `${extensionPath(sub, 'web')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.web.appservice' } })
    await settled(rp, asyncUrl(web))
    const removal = await call(rp, 'DELETE', `${extensionPath(sub, 'web')}?${EXTENSION_API}`)
    expect(removal.status).toBe(202)

    // While App Service is still being uninstalled it counts as installed.
    const early = await call<Body>(rp, 'PUT', `${extensionPath(sub, 'apps')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.app.environment' } })
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('ConflictingExtension')
    expect(early.body.error.message).toContain("Delete extension 'web' first")

    const removed = await settled(rp, asyncUrl(removal))
    const apps = await call(rp, 'PUT', `${extensionPath(sub, 'apps')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.app.environment' } })
    expect(apps.status).toBe(201)
    expect((await settled(rp, asyncUrl(apps))).status).toBe('Succeeded')

    const cluster = await rp.db.cluster.findFirstOrThrow({ where: { idKey: clusterPath(sub).toLowerCase() } })
    const releases = await rp.db.simulatedRelease.findMany({ where: { clusterId: cluster.id } })
    expect(releases.map((r) => r.releaseName)).toEqual(['apps'])
    const install = (await allTerminal(rp.db, sub)).find((op) => op.extensionId && op.kind === 'extension.install' && op.resourceId.endsWith('/apps'))!
    expect(install.startTime.getTime()).toBeGreaterThanOrEqual(new Date(removed.endTime).getTime())
  })
})

describe('subject locks', () => {
  it('lets one holder at a time hold a subject, across sessions and within one, and frees it with the session', async () => {
    const log = pino({ level: 'silent' })
    const a = new SubjectLocks(rp.config.databaseUrl, log)
    const b = new SubjectLocks(rp.config.databaseUrl, log)
    try {
      const subject = `arcext:extension:${freshSubscription()}`
      const held = await a.tryAcquire(subject)
      expect(held).not.toBeNull()
      expect(await a.tryAcquire(subject)).toBeNull() // advisory locks are re-entrant per session; ours are not
      expect(await b.tryAcquire(subject)).toBeNull()
      const other = await b.tryAcquire(`${subject}-other`)
      expect(other).not.toBeNull()
      await held!()
      const taken = await b.tryAcquire(subject)
      expect(taken).not.toBeNull()
      // A process that dies takes its session, and with it its locks.
      await b.close()
      await until(
        () => a.tryAcquire(subject),
        (release) => release !== null,
        5000,
      )
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('sends a release queued behind a busy session with the claim that runs next, or on its own when that claim finds no operation', async () => {
    const log = pino({ level: 'silent' })
    const a = new SubjectLocks(rp.config.databaseUrl, log, 1)
    const b = new SubjectLocks(rp.config.databaseUrl, log)
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect((await settled(rp, asyncUrl(put))).status).toBe('Succeeded')
    const ended = await rp.db.operation.findFirstOrThrow({ where: { status: 'Succeeded' } })
    try {
      for (const [operationId, releasedByClaim] of [
        [ended.id, 1],
        [randomUUID(), 0],
      ] as const) {
        const subject = `arcext:extension:${freshSubscription()}`
        const release = await a.tryAcquire(subject)
        expect(release).not.toBeNull()
        // The session's one connection is busy; a claim queues behind it, then the release behind that.
        let open = () => {}
        const gate = new Promise<void>((resolve) => (open = resolve))
        const busy = a.lockWithin(async () => {
          await gate
          return { subject: null, locked: false }
        })
        let carried: readonly string[] = []
        const claim = a.lockWithin((client, heldSubjects, releasing) => {
          carried = releasing
          return claimOperation(client, operationId, { deadlineSeconds: 3600, heldSubjects, releasing })
        })
        await new Promise((resolve) => setImmediate(resolve)) // the claim is queued once it has the session's connection
        const released = release!()
        open()
        await busy
        const { result } = await claim
        await released
        expect(carried).toEqual([subject])
        expect(result).toMatchObject({ state: 'ended', released: releasedByClaim })
        const taken = await b.tryAcquire(subject)
        expect(taken).not.toBeNull()
        await taken!()
      }
    } finally {
      await a.close()
      await b.close()
    }
  })
})
