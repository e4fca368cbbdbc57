// The Postgres statements the hot paths send, counted on the wire between the api and Postgres: a PUT is accepted
// in one call that locks, re-checks and writes, preceded by a read only the first time the api sees the cluster (and
// an update by the create call that found the extension), nothing after; a GET of one extension reads in one, a LIST
// in two (its cluster, then the page) and a cluster registration writes in two (the read it is judged on, then the write).
// Counts, not timings: a statement more is a round trip more under any load, which is what these ceilings keep out.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { APIM_SETTINGS, CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { startPgWireCounter, type PgWireCounter } from '../helpers/pg-wire-counter.js'

let counter: PgWireCounter
let h: Harness
beforeAll(async () => {
  const database = new URL(inject('databaseUrl'))
  counter = await startPgWireCounter({ host: database.hostname, port: Number(database.port || 5432) })
  database.hostname = '127.0.0.1'
  database.port = String(counter.port)
  h = await startHarness({ worker: false, env: { DATABASE_URL: database.toString() } })
})
afterAll(async () => {
  await h?.close()
  await counter?.close()
})

/** The statements `work` made the api send. */
async function statementsOf(work: () => Promise<void>): Promise<string[]> {
  const before = counter.statements.length
  await work()
  return counter.statements.slice(before)
}

/**
 * The whole request's statements are these calls, in order, and nothing after them (the worker clears the outbox
 * row). No BEGIN or COMMIT: each call is its own transaction.
 */
function expectStatements(statements: string[], calls: string[]): void {
  const shown = JSON.stringify(statements, null, 1)
  expect(statements, shown).toHaveLength(calls.length)
  calls.forEach((call, i) => expect(statements[i], shown).toContain(call))
}

const READ = 'FROM clusters c WHERE c.id_key'
const CREATE = 'arcext_accept_extension_create('
const CHANGE = 'arcext_accept_extension_change('

describe('statements per request', () => {
  it('accepts a create in one statement once the cluster is known, and an update in two', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    let status = 0
    const create = await statementsOf(async () => {
      status = (await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })).status
    })
    expect(status).toBe(201)
    expectStatements(create, [READ, CREATE])
    const another = await statementsOf(async () => {
      status = (await call(h, 'PUT', `${extensionPath(sub, 'mon')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.azuremonitor.containers' } })).status
    })
    expect(status).toBe(201)
    expectStatements(another, [CREATE])

    // An update needs the extension free of operations: this api has no worker, so the install is ended here.
    await h.api.app.services.db.$executeRaw`UPDATE extensions SET active_operation_id = NULL, provisioning_state = 'Succeeded' WHERE id_key = ${extensionPath(sub, 'flux').toLowerCase()}`
    const update = await statementsOf(async () => {
      status = (await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', configurationSettings: { a: 'b' } } })).status
    })
    expect(status).toBe(200)
    expectStatements(update, [CREATE, CHANGE])
  })

  it('reads one extension for a GET in one statement', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    expect((await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    let status = 0
    const get = await statementsOf(async () => {
      status = (await call(h, 'GET', url)).status
    })
    expect(status).toBe(200)
    expect(get.length, JSON.stringify(get, null, 1)).toBe(1)
    // Again, once the connection has the statement prepared: still one, and recorded as the read it is.
    const again = await statementsOf(async () => {
      status = (await call(h, 'GET', url)).status
    })
    expect(status).toBe(200)
    expect(again, JSON.stringify(again, null, 1)).toEqual(get)
    expect(get[0]).toContain('FROM extensions e WHERE e.id_key')
  })

  it('lists a page of extensions in two statements, the cluster and the page', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    for (const name of ['alpha', 'bravo']) {
      const body = { properties: { extensionType: 'microsoft.apimanagement', scope: { namespace: { targetNamespace: name } }, ...APIM_SETTINGS } }
      expect((await call(h, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, body)).status).toBe(201)
    }
    let body: Record<string, unknown> = {}
    const first = await statementsOf(async () => {
      const answer = await call(h, 'GET', `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}&$top=1`)
      expect(answer.status).toBe(200)
      body = answer.body
    })
    expect(first.length, JSON.stringify(first, null, 1)).toBe(2)
    // The next page, through its skip token: two as well.
    const next = new URL(String(body.nextLink))
    const second = await statementsOf(async () => {
      expect((await call(h, 'GET', `${next.pathname}${next.search}`)).status).toBe(200)
    })
    expect(second.length, JSON.stringify(second, null, 1)).toBe(2)
  })

  it('registers a cluster in two statements and registers it again in two', async () => {
    const url = `${clusterPath(freshSubscription())}?${CLUSTER_API}`
    for (const expected of [201, 200]) {
      let status = 0
      const put = await statementsOf(async () => {
        status = (await call(h, 'PUT', url, compatibleCluster)).status
      })
      expect(status).toBe(expected)
      expect(put.length, JSON.stringify(put, null, 1)).toBe(2)
    }
  })
})
