// The cluster.delete job's judgment of the extensions it waits for, on states built exactly: the api has accepted
// the cluster DELETE (so every extension has a delete operation) and no worker runs, so nothing moves but the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { createDb, type Db } from '../../core/db/client.js'
import { deleteCluster } from '../../workers/jobs/delete-cluster.js'
import { NotReadyError } from '../../workers/jobs/operation-run.js'
import { DriverError } from '../../workers/drivers/driver.js'
import type { WorkerContext } from '../../workers/context.js'
import { operationIdOf } from './helpers/rp.js'

let h: Harness
let db: Db
let ctx: WorkerContext

beforeAll(async () => {
  h = await startHarness({ worker: false })
  db = createDb(h.config.databaseUrl, 2)
  // deleteCluster reads and writes the database only; the other members are never touched.
  ctx = { db, log: pino({ level: 'silent' }) } as unknown as WorkerContext
})
afterAll(async () => {
  await db?.$disconnect()
  await h?.close()
})

/** A cluster with one extension, whose DELETE was accepted: returns the cluster operation and the extension's. */
async function acceptedClusterDelete() {
  const sub = freshSubscription()
  await registerCluster(h, sub)
  expect((await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
  const del = await call(h, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)
  expect(del.status).toBe(202)
  const clusterOp = await db.operation.findUniqueOrThrow({ where: { id: operationIdOf(del) } })
  const extension = await db.extension.findFirstOrThrow({ where: { clusterId: clusterOp.clusterId! } })
  const extensionOp = await db.operation.findUniqueOrThrow({ where: { id: extension.activeOperationId! } })
  expect(extensionOp).toMatchObject({ kind: 'extension.delete', status: 'InProgress' })
  return { clusterOp, extensionOp }
}

describe('cluster.delete job', () => {
  it('waits while an extension delete runs', async () => {
    const { clusterOp } = await acceptedClusterDelete()
    await expect(deleteCluster(ctx, clusterOp)).rejects.toBeInstanceOf(NotReadyError)
  })

  it('keeps waiting, not failing, when an extension delete is seen succeeded with its row not yet gone', async () => {
    const { clusterOp, extensionOp } = await acceptedClusterDelete()
    await db.operation.update({ where: { id: extensionOp.id }, data: { status: 'Succeeded' } })
    await expect(deleteCluster(ctx, clusterOp)).rejects.toBeInstanceOf(NotReadyError)
  })

  it('fails with the extension and its error once an extension delete has failed', async () => {
    const { clusterOp, extensionOp } = await acceptedClusterDelete()
    const error = { code: 'ClusterUnreachable', message: 'The cluster did not answer.' }
    await db.operation.update({ where: { id: extensionOp.id }, data: { status: 'Failed', error } })
    await db.extension.update({ where: { id: extensionOp.extensionId! }, data: { activeOperationId: null, provisioningState: 'Failed', errorInfo: error } })
    const failure = await deleteCluster(ctx, clusterOp).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(DriverError)
    expect(failure).toMatchObject({ code: 'ExtensionDeletionFailed', message: expect.stringContaining("'flux' (ClusterUnreachable: The cluster did not answer.)") })
  })

  it('removes the cluster once no extension remains', async () => {
    const { clusterOp, extensionOp } = await acceptedClusterDelete()
    await db.extension.delete({ where: { id: extensionOp.extensionId! } })
    await deleteCluster(ctx, clusterOp)
    expect(await db.cluster.findUnique({ where: { id: clusterOp.clusterId! } })).toBeNull()
    expect(await db.operation.findUniqueOrThrow({ where: { id: clusterOp.id } })).toMatchObject({ status: 'Succeeded' })
  })
})
