// Item 4: Postgres going away during load (every connection dropped, new ones refused for a while, as in a
// restart) still ends with every accepted operation terminal and every extension as its request left it.
// The outage is confined to this file's own database (connections refused and terminated there only), so test
// files running alongside on the shared server are not disturbed.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription } from '../helpers/harness.js'
import { allTerminal, startRp, type Body, type Rp } from './helpers/rp.js'

const CLUSTERS = ['c1', 'c2', 'c3', 'c4']
const TYPES = ['microsoft.flux', 'microsoft.dapr', 'microsoft.azuremonitor.containers', 'microsoft.policyinsights', 'microsoft.arc.containerstorage']

async function withAdmin<T>(databaseUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const maintenance = new URL(databaseUrl)
  maintenance.pathname = '/postgres'
  const client = new pg.Client({ connectionString: maintenance.toString() })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** Refuses new connections to the database, drops every open one, and lets connections back after `downMs`. */
async function restartDatabase(databaseUrl: string, downMs: number): Promise<number> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1))
  const quoted = `"${name.replaceAll('"', '""')}"`
  const dropped = await withAdmin(databaseUrl, async (admin) => {
    await admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS false`)
    const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
    return rowCount ?? 0
  })
  await new Promise((resolve) => setTimeout(resolve, downMs))
  await withAdmin(databaseUrl, (admin) => admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS true`))
  return dropped
}

describe('a Postgres restart during load', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '400', WORKER_CONCURRENCY: '8' })
  })
  afterAll(async () => {
    if (rp) await withAdmin(rp.config.databaseUrl, (admin) => admin.query(`ALTER DATABASE "${decodeURIComponent(new URL(rp.config.databaseUrl).pathname.slice(1))}" ALLOW_CONNECTIONS true`))
    await rp?.close()
  })

  it('recovers every accepted operation once the database is back', async () => {
    await rp.spawnWorker()
    await rp.startWorker()
    const sub = freshSubscription()
    for (const cluster of CLUSTERS) expect((await call(rp, 'PUT', `${clusterPath(sub, cluster)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    const accepted: { cluster: string; name: string }[] = []
    for (const cluster of CLUSTERS) {
      for (const type of TYPES) {
        const name = type.split('.').pop()!
        const put = await call(rp, 'PUT', `${extensionPath(sub, name, cluster)}?${EXTENSION_API}`, { properties: { extensionType: type, configurationSettings: { cluster } } })
        expect(put.status).toBe(201)
        accepted.push({ cluster, name })
      }
    }
    // Mid-run: workers hold jobs in every stage when the database goes away for a few seconds.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const dropped = await restartDatabase(rp.config.databaseUrl, 3000)
    expect(dropped).toBeGreaterThan(0)

    const ops = await allTerminal(rp.db, sub, 90_000)
    expect(ops).toHaveLength(CLUSTERS.length * TYPES.length)
    expect(ops.filter((op) => op.status !== 'Succeeded').map((op) => [op.resourceId, op.status, op.error])).toEqual([])
    for (const { cluster, name } of accepted) {
      const got = await call<Body>(rp, 'GET', `${extensionPath(sub, name, cluster)}?${EXTENSION_API}`)
      expect(got.body.properties).toMatchObject({ provisioningState: 'Succeeded', configurationSettings: { cluster } })
    }
  }, 120_000)
})
