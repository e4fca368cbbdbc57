// The one call that accepts an extension PUT (core/store/extension-statements.ts) re-checks under the cluster lock
// what the request was judged against on an unlocked read, and writes nothing when it changed; its coexistence
// check sees a create committed while it waited for the lock (a fresh snapshot after the lock, not the statement's).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDb, driverPool, type Db } from '../../core/db/client.js'
import { driverStatements, inDriverTransaction, type Sql } from '../../core/db/driver-transaction.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { insertExtension, lockClusterById, updateExtension, type CoexistenceGuard } from '../../core/store/extension-statements.js'

let db: Db
let sql: Sql
beforeAll(() => {
  db = createDb(inject('databaseUrl'), 4)
  sql = driverStatements(db)
})
afterAll(() => db.$disconnect())

const caller = { id: 'accept-test', type: 'Application' as const }
const FLUX = ['microsoft.flux']

interface TestCluster {
  id: string
  etag: string
  resourceId: string
}

async function newCluster(): Promise<TestCluster> {
  const id = randomUUID()
  const etag = randomUUID()
  const resourceId = `/subscriptions/${id}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/c1`
  await driverPool(db).query(
    `INSERT INTO clusters (id, id_key, resource_id, subscription_key, resource_group_key, type_key, name, name_key, location, provisioning_state, etag,
                           created_by, created_by_type, last_modified_by, last_modified_by_type)
     VALUES ($1::uuid, lower($2), $2, $1::text, 'rg', 'microsoft.kubernetes/connectedclusters', 'c1', 'c1', 'eastus', 'Succeeded', $3, 'x', 'User', 'x', 'User')`,
    [id, resourceId, etag],
  )
  return { id, etag, resourceId }
}

function spec(extensionType: string): ExtensionSpec {
  return { extensionType, autoUpgradeMinorVersion: true, releaseTrain: 'Stable', version: null, scope: null, configurationSettings: {}, identity: null, plan: null, aksAssignedIdentity: null }
}

function guard(cluster: TestCluster, name: string, types: string[] = FLUX): CoexistenceGuard {
  return { clusterId: cluster.id, types, nameKey: name.toLowerCase() }
}

function create(on: Sql, cluster: TestCluster, name: string, clusterEtag: string | null, types: string[] = FLUX) {
  const resourceId = `${cluster.resourceId}/providers/Microsoft.KubernetesConfiguration/extensions/${name}`
  return insertExtension(
    on,
    guard(cluster, name, types),
    { etag: clusterEtag },
    { id: randomUUID(), idKey: resourceId.toLowerCase(), resourceId, name, spec: spec('microsoft.flux'), protectedSettingsSealed: null, etag: randomUUID(), caller },
    { id: randomUUID(), apiVersion: '2023-05-01', correlationId: null },
  )
}

function change(cluster: TestCluster, current: { id: string; etag: string }, clusterEtag: string | null) {
  const operationId = randomUUID()
  return updateExtension(
    sql,
    guard(cluster, 'flux', []),
    { etag: clusterEtag },
    current,
    { etag: randomUUID(), spec: spec('microsoft.flux'), modifiedBy: caller },
    { id: operationId, kind: 'extension.update', apiVersion: '2023-05-01', correlationId: null },
  )
}

async function stored(cluster: TestCluster): Promise<{ extensions: number; operations: number; outbox: number }> {
  const { rows } = await driverPool(db).query<{ extensions: number; operations: number; outbox: number }>(
    `SELECT (SELECT count(*)::int FROM extensions WHERE cluster_id = $1) AS extensions,
            (SELECT count(*)::int FROM operations WHERE cluster_id = $1) AS operations,
            (SELECT count(*)::int FROM operation_outbox b JOIN operations o ON o.id = b.operation_id WHERE o.cluster_id = $1) AS outbox`,
    [cluster.id],
  )
  return rows[0]!
}

/** Ends the extension's operation, as a worker would, so it can be changed again. */
async function settle(extensionId: string): Promise<string> {
  const etag = randomUUID()
  await driverPool(db).query(`UPDATE extensions SET active_operation_id = NULL, provisioning_state = 'Succeeded', etag = $2 WHERE id = $1`, [extensionId, etag])
  return etag
}

describe('accepting an extension write in one call', () => {
  it('writes extension, operation and outbox row when the cluster is as judged', async () => {
    const cluster = await newCluster()
    const { written, blocking } = await create(sql, cluster, 'flux', cluster.etag)
    expect(blocking).toEqual([])
    expect(written?.extension).toMatchObject({ name: 'flux', provisioningState: 'Creating', activeOperationId: written?.operation.id })
    expect(written?.operation).toMatchObject({ kind: 'extension.install', status: 'InProgress', extensionId: written?.extension.id })
    expect(await stored(cluster)).toEqual({ extensions: 1, operations: 1, outbox: 1 })
  })

  it('writes nothing when the cluster changed or turned Deleting since the request was judged', async () => {
    const cluster = await newCluster()
    expect(await create(sql, cluster, 'flux', randomUUID())).toEqual({ written: null, blocking: [], existing: null })
    await driverPool(db).query(`UPDATE clusters SET provisioning_state = 'Deleting' WHERE id = $1`, [cluster.id])
    expect(await create(sql, cluster, 'flux', cluster.etag)).toEqual({ written: null, blocking: [], existing: null })
    expect(await stored(cluster)).toEqual({ extensions: 0, operations: 0, outbox: 0 })
  })

  it('writes nothing when the extension exists, and answers it, before judging coexistence', async () => {
    const cluster = await newCluster()
    const created = (await create(sql, cluster, 'flux', cluster.etag)).written!.extension
    await create(sql, cluster, 'other', null, []) // an extension the guard of a second flux objects to
    const again = await create(sql, cluster, 'flux', cluster.etag)
    expect(again).toMatchObject({ written: null, blocking: [] })
    expect(again.existing).toMatchObject({ id: created.id, etag: created.etag, activeOperationId: created.activeOperationId })
    expect(await stored(cluster)).toEqual({ extensions: 2, operations: 2, outbox: 2 })
  })

  it('changes the extension only at the etag judged and with no operation in flight', async () => {
    const cluster = await newCluster()
    const created = (await create(sql, cluster, 'flux', cluster.etag)).written!.extension
    expect(await change(cluster, created, cluster.etag)).toEqual({ written: null, blocking: [], existing: null }) // install in flight
    const etag = await settle(created.id)
    expect(await change(cluster, { id: created.id, etag: 'not-the-etag' }, cluster.etag)).toEqual({ written: null, blocking: [], existing: null })
    const changed = await change(cluster, { id: created.id, etag }, cluster.etag)
    expect(changed.written?.extension).toMatchObject({ provisioningState: 'Updating', activeOperationId: changed.written?.operation.id, lastModifiedBy: caller.id })
    expect(await stored(cluster)).toEqual({ extensions: 1, operations: 2, outbox: 2 })
  })

  it('sees a create committed while it waited for the cluster lock', async () => {
    const cluster = await newCluster()
    let locked: () => void = () => {}
    const holding = new Promise<void>((resolve) => (locked = resolve))
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    // A create in a transaction that holds the cluster lock, committed only once the call below waits for that lock.
    const first = inDriverTransaction(db, async (tx) => {
      await lockClusterById(tx, cluster.id, 'FOR NO KEY UPDATE')
      const written = await create(tx, cluster, 'flux-a', null)
      locked()
      await released
      return written
    })
    await holding
    const second = create(sql, cluster, 'flux-b', cluster.etag)
    await waitUntilWaitingForLock()
    release()
    expect((await first).written).not.toBeNull()
    expect(await second).toEqual({ written: null, blocking: [{ name: 'flux-a', extensionType: 'microsoft.flux' }], existing: null })
    expect(await stored(cluster)).toEqual({ extensions: 1, operations: 1, outbox: 1 })
  })
})

/** Until some backend of this database waits for a row lock (the second call, blocked by the first's cluster lock). */
async function waitUntilWaitingForLock(): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const { rows } = await driverPool(db).query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%arcext_accept_extension_create%'`)
    if (rows.length > 0) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('the second call never waited for the cluster lock')
}
