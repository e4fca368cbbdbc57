// The first vertical slice end to end over real HTTP: register a cluster, PUT an extension, watch the operation
// go InProgress → Succeeded through the real worker and simulated driver.
import https from 'node:https'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'
import { FLUX_NEWEST } from '../helpers/shipped-flux.js'

let h: Harness

beforeAll(async () => {
  // Each simulated step takes a moment, so the InProgress state is observable.
  h = await startHarness({ env: { SIMULATED_STEP_LATENCY_MS: '1000' } })
})
afterAll(() => h?.close())

describe('walking skeleton', () => {
  it('creates a connected cluster and an extension that reaches Succeeded', async () => {
    const sub = freshSubscription()
    const cluster = await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster)
    expect(cluster.status).toBe(201)
    expect(cluster.body).toMatchObject({ name: 'cluster1', type: 'Microsoft.Kubernetes/connectedClusters', properties: { provisioningState: 'Succeeded' } })

    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.flux', configurationSettings: { 'multiTenancy.enforce': 'false' }, configurationProtectedSettings: { token: 's3cr3t-value' } },
    })
    expect(put.status).toBe(201)
    expect(put.body).toMatchObject({
      id: extensionPath(sub, 'flux'),
      name: 'flux',
      type: 'Microsoft.KubernetesConfiguration/extensions',
      properties: { extensionType: 'microsoft.flux', provisioningState: 'Creating', currentVersion: null },
    })
    expect(JSON.stringify(put.body)).not.toContain('s3cr3t-value')
    const asyncUrl = put.headers.get('azure-asyncoperation')!
    const locationUrl = put.headers.get('location')!
    expect(asyncUrl).toMatch(new RegExp(`^${h.baseUrl}${extensionPath(sub, 'flux')}/operations/[0-9a-f-]{36}\\?api-version=2023-05-01$`))
    expect(locationUrl).toMatch(/\/operationResults\/[0-9a-f-]{36}\?api-version=2023-05-01$/)
    expect(Number(put.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)

    const running = await call(h, 'GET', asyncUrl)
    expect(running.status).toBe(200)
    expect(running.body).toMatchObject({ status: 'InProgress', name: asyncUrl.split('/operations/')[1]!.split('?')[0] })
    const pendingResult = await call(h, 'GET', locationUrl)
    expect(pendingResult.status).toBe(202)

    const done = await until(
      () => call(h, 'GET', asyncUrl),
      (r) => r.body.status !== 'InProgress',
    )
    expect(done.body).toMatchObject({ status: 'Succeeded', percentComplete: 100, error: null })
    expect(done.body.endTime).toEqual(expect.any(String))

    const got = await call(h, 'GET', `${extensionPath(sub, 'FLUX', 'CLUSTER1', 'RG1')}?${EXTENSION_API}`)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ id: extensionPath(sub, 'flux'), properties: { provisioningState: 'Succeeded', currentVersion: FLUX_NEWEST } })
    expect(JSON.stringify(got.body)).not.toContain('s3cr3t-value')

    const result = await call(h, 'GET', locationUrl)
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({ properties: { provisioningState: 'Succeeded' } })
  })

  it('keeps protected settings encrypted at rest', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const put = await call(h, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.dapr', configurationProtectedSettings: { password: 'plain-text-never-stored' } },
    })
    expect(put.status).toBe(201)
    const client = new pg.Client({ connectionString: h.config.databaseUrl })
    await client.connect()
    const { rows } = await client.query('SELECT row_to_json(e)::text AS row FROM extensions e WHERE id_key = $1', [extensionPath(sub, 'dapr').toLowerCase()])
    await client.end()
    expect(rows).toHaveLength(1)
    expect(rows[0].row).not.toContain('plain-text-never-stored')
    expect(rows[0].row).toContain('protected_settings_sealed')
  })

  it('serves the same API over HTTPS with the generated certificate', async () => {
    const ca = readFileSync(h.api.certFile)
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${h.api.httpsUrl}/healthz`, { ca }, (res) => {
          let data = ''
          res.on('data', (chunk) => (data += chunk))
          res.on('end', () => resolve(data))
        })
        .on('error', reject)
    })
    expect(JSON.parse(body)).toEqual({ status: 'ok' })
  })

  it('reports readiness of Postgres, Redis and migrations', async () => {
    const ready = await call(h, 'GET', '/readyz')
    expect(ready.status).toBe(200)
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', migrations: 'ok' } })
    expect((await call(h, 'GET', '/healthz')).body).toEqual({ status: 'ok' })
  })
})

describe('correlation', () => {
  it('records the request correlation id on the operation for the worker logs', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } }, { 'x-ms-correlation-request-id': 'corr-walk-1' })
    const operationId = put.headers.get('azure-asyncoperation')!.split('/operations/')[1]!.split('?')[0]
    const client = new pg.Client({ connectionString: h.config.databaseUrl })
    await client.connect()
    const { rows } = await client.query('SELECT correlation_id FROM operations WHERE id = $1', [operationId])
    await client.end()
    expect(rows[0].correlation_id).toBe('corr-walk-1')
  })
})
