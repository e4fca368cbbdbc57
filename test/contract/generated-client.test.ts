// The full lifecycle through a client generated from the committed openapi/arcext.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { generateClient, loadCommittedDocument, type GeneratedClient } from '../helpers/openapi-client.js'

let h: Harness
let client: GeneratedClient
const sub = freshSubscription()
const cluster = { subscriptionId: sub, resourceGroupName: 'rg1', clusterRp: 'Microsoft.Kubernetes', clusterResourceName: 'connectedClusters', clusterName: 'cluster1', 'api-version': '2023-05-01' }

beforeAll(async () => {
  h = await startHarness()
  client = generateClient(loadCommittedDocument(), h.baseUrl)
  await registerCluster(h, sub)
})
afterAll(() => h?.close())

describe('client generated from openapi/', () => {
  it('registers a cluster and installs an extension with the bodies the document shows as examples', async () => {
    const doc = loadCommittedDocument()
    const clusterArgs = { subscriptionId: sub, resourceGroupName: 'rg-examples', clusterName: 'example-cluster' }
    const put = Object.values(doc.paths as Record<string, Record<string, { operationId?: string; parameters: { in: string; schema?: { example?: unknown } }[] }>>)
      .flatMap((item) => Object.values(item))
      .find((operation) => operation.operationId === 'ConnectedCluster_Create')!
    const clusterExample = put.parameters.find((p) => p.in === 'body')!.schema!.example
    const created = await client.operations.ConnectedCluster_Create!({ ...clusterArgs, 'api-version': '2024-01-01' }, clusterExample)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({ name: 'example-cluster', properties: { provisioningState: 'Succeeded', kubernetesVersion: expect.any(String) } })
    const replaced = await client.operations.ConnectedCluster_Create!({ ...clusterArgs, 'api-version': '2024-01-01' }, clusterExample)
    expect(replaced.status).toBe(200)
    const listed = await client.listAll('ConnectedCluster_ListByResourceGroup', { subscriptionId: sub, resourceGroupName: 'rg-examples', 'api-version': '2024-01-01' })
    expect(listed.map((c) => c.name)).toEqual(['example-cluster'])

    const extensionArgs = { ...clusterArgs, clusterRp: 'Microsoft.Kubernetes', clusterResourceName: 'connectedClusters', extensionName: 'monitor', 'api-version': '2023-05-01' }
    const { initial, status } = await client.runToCompletion('Extensions_Create', extensionArgs, doc.definitions.Extension.example)
    expect(initial.status, JSON.stringify(initial.body)).toBe(201)
    expect(status).toMatchObject({ status: 'Succeeded' })
    const patched = await client.runToCompletion('Extensions_Update', extensionArgs, doc.definitions.patchExtension.example)
    expect(patched.status).toMatchObject({ status: 'Succeeded' })

    // With an extension installed, the cluster delete is long-running: it deletes the extension first.
    const deleted = await client.runToCompletion('ConnectedCluster_Delete', { ...clusterArgs, 'api-version': '2024-01-01' })
    expect(deleted.initial.status).toBe(202)
    expect(deleted.status).toMatchObject({ status: 'Succeeded' })
    const operationId = deleted.initial.headers.get('azure-asyncoperation')!.split('/operations/')[1]!.split('?')[0]!
    const clusterStatus = await client.operations.ConnectedCluster_GetOperationStatus!({ ...clusterArgs, operationId, 'api-version': '2024-01-01' })
    expect(clusterStatus.body).toMatchObject({ name: operationId, status: 'Succeeded' })
    expect((await client.operations.ConnectedCluster_Get!({ ...clusterArgs, 'api-version': '2024-01-01' })).status).toBe(404)
  })

  it('creates, reads, lists, updates, polls and deletes extensions', async () => {
    const names = ['dapr', 'flux', 'monitor']
    const types: Record<string, string> = { dapr: 'microsoft.dapr', flux: 'microsoft.flux', monitor: 'microsoft.azuremonitor.containers' }
    for (const extensionName of names) {
      const { initial, status } = await client.runToCompletion('Extensions_Create', { ...cluster, extensionName }, { properties: { extensionType: types[extensionName] } })
      expect(initial.status).toBe(201)
      expect(status).toMatchObject({ status: 'Succeeded' })
    }
    const got = await client.operations.Extensions_Get!({ ...cluster, extensionName: 'flux' })
    expect(got.body).toMatchObject({ name: 'flux', properties: { provisioningState: 'Succeeded', currentVersion: expect.any(String) } })

    const listed = await client.listAll('Extensions_List', { ...cluster, $top: '2' })
    expect(listed.map((e) => e.name)).toEqual(names)

    const updated = await client.runToCompletion('Extensions_Update', { ...cluster, extensionName: 'flux' }, { properties: { configurationSettings: { a: 'b' } } })
    expect(updated.initial.status).toBe(202)
    expect(updated.status).toMatchObject({ status: 'Succeeded' })
    const operationId = updated.initial.headers.get('azure-asyncoperation')!.split('/operations/')[1]!.split('?')[0]!
    const status = await client.operations.OperationStatus_Get!({ ...cluster, extensionName: 'flux', operationId })
    expect(status.body).toMatchObject({ name: operationId, status: 'Succeeded' })

    const deleted = await client.runToCompletion('Extensions_Delete', { ...cluster, extensionName: 'flux' })
    expect(deleted.initial.status).toBe(202)
    expect(deleted.status).toMatchObject({ status: 'Succeeded' })
    expect((await client.operations.Extensions_Get!({ ...cluster, extensionName: 'flux' })).status).toBe(404)
    expect((await client.operations.Extensions_Delete!({ ...cluster, extensionName: 'flux' })).status).toBe(204)

    const providerOps = await client.listAll('Operations_List', { 'api-version': '2023-05-01' })
    expect(providerOps.length).toBeGreaterThan(0)
  })
})
