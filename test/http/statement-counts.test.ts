// The Postgres statements the hot paths send, counted on the wire between the api and Postgres: a PUT is accepted
// in at most four (BEGIN, read-and-lock, write, COMMIT, and nothing after) and a GET of one extension reads in one.
// Counts, not timings: a statement more is a round trip more under any load, which is what these ceilings keep out.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
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

/** The whole request's statements, the accept ending with its COMMIT: nothing follows it (the worker clears the outbox row). */
function acceptStatements(statements: string[]): string[] {
  expect(statements.at(-1)?.trim().toUpperCase(), `the last statement is not COMMIT: ${JSON.stringify(statements)}`).toBe('COMMIT')
  return statements
}

describe('statements per request', () => {
  it('accepts a create and an update of an extension in at most four statements each', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    let status = 0
    const create = await statementsOf(async () => {
      status = (await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })).status
    })
    expect(status).toBe(201)
    expect(acceptStatements(create).length, JSON.stringify(create, null, 1)).toBeLessThanOrEqual(4)

    // An update needs the extension free of operations: this api has no worker, so the install is ended here.
    await h.api.app.services.db.$executeRaw`UPDATE extensions SET active_operation_id = NULL, provisioning_state = 'Succeeded' WHERE id_key = ${extensionPath(sub, 'flux').toLowerCase()}`
    const update = await statementsOf(async () => {
      status = (await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', configurationSettings: { a: 'b' } } })).status
    })
    expect(status).toBe(200)
    expect(acceptStatements(update).length, JSON.stringify(update, null, 1)).toBeLessThanOrEqual(4)
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
})
