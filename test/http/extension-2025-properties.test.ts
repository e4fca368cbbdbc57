// The 2025-03-01 properties: user-assigned identities, the Workload aksAssignedIdentity, extensionState and managedBy
// (docs/arm-rules.md rules 59 and 60). Older api-versions refuse what they do not define and answer in their own
// swagger's shape, checked against it.
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inlinedSchema, providerSwagger, swaggerGets, undeclaredProperties, type Json, type SwaggerOperation } from '../contract/support/upstream-spec.js'
import { loadCatalog, shippedCatalogFile } from '../../core/catalog/catalog.js'
import { call, extensionPath, freshSubscription, POLL, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

let h: Harness
const sub = freshSubscription()
let clusters = 0
const MI = (name: string) => `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

async function freshCluster(): Promise<string> {
  const cluster = `props-${(clusters += 1)}`
  await registerCluster(h, sub, cluster)
  return cluster
}
const at = (cluster: string, version: string, name = 'flux') => `${extensionPath(sub, name, cluster)}?api-version=${version}`

/** The shipped catalog, read directly: the api under test uses the same file. */
const shipped = loadCatalog(shippedCatalogFile())
const ajv = new Ajv({ allErrors: true, strict: false })
const SWAGGER_2023 = providerSwagger('stable/2023-05-01/extensions.json')
const GET_2023 = swaggerGets(SWAGGER_2023).find((o) => o.operationId === 'Extensions_Get')!
/** The 2023-05-01 Extension for ajv: errorInfo (ErrorDetail nests itself, which inlining cannot end) is checked by undeclaredProperties only. */
const EXTENSION_2023: SwaggerOperation['response'] = (() => {
  const node = structuredClone((JSON.parse(readFileSync(SWAGGER_2023, 'utf8')) as Json).definitions.Extension) as Json
  delete node.properties.properties.properties.errorInfo
  return { file: SWAGGER_2023, node }
})()

/** x-nullable is dropped by inlinedSchema, so nulls (which the swagger allows where it says so) are left out first. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutNulls(v)]])))
}

function schemaProblems(body: unknown, operation: SwaggerOperation): string[] {
  const validate = ajv.compile(inlinedSchema(EXTENSION_2023))
  const clean = withoutNulls(body)
  const typeProblems = validate(clean) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
  return [...typeProblems, ...undeclaredProperties(body, operation.response)]
}

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

describe('user-assigned identity', () => {
  it('answers each identity with stable principal and client ids at 2025-03-01 and leaves it out below', async () => {
    const cluster = await freshCluster()
    const body = { identity: { type: 'UserAssigned', userAssignedIdentities: { [MI('mi1')]: {}, [MI('mi2')]: {} } }, properties: { extensionType: 'microsoft.flux' } }
    const put = await call<Json>(h, 'PUT', at(cluster, '2025-03-01'), body)
    expect(put.status, JSON.stringify(put.body)).toBe(201)
    const ids = put.body.identity.userAssignedIdentities as Record<string, { principalId: string; clientId: string }>
    expect(put.body.identity.type).toBe('UserAssigned')
    expect(Object.keys(ids)).toEqual([MI('mi1'), MI('mi2')])
    for (const entry of Object.values(ids)) {
      expect(entry.principalId).toMatch(GUID)
      expect(entry.clientId).toMatch(GUID)
      expect(entry.clientId).not.toBe(entry.principalId)
    }
    expect(ids[MI('mi1')]).not.toEqual(ids[MI('mi2')])
    // Used through workload identity, as Azure's CreateExtensionWithIdentity example answers a request that sends none.
    expect(put.body.properties.aksAssignedIdentity).toEqual({ type: 'Workload' })
    await expect.poll(() => provisioningState(h, at(cluster, '2025-03-01')), POLL).toBe('Succeeded')
    // The same identity keeps its ids across a replace, and on another extension.
    const again = await call<Json>(h, 'PUT', at(cluster, '2025-03-01'), body)
    expect(again.status).toBe(200)
    expect(again.body.identity.userAssignedIdentities).toEqual(ids)
    await expect.poll(() => provisioningState(h, at(cluster, '2025-03-01')), POLL).toBe('Succeeded')
    const other = await freshCluster()
    const elsewhere = await call<Json>(h, 'PUT', at(other, '2025-03-01'), { ...body, identity: { type: 'UserAssigned', userAssignedIdentities: { [MI('mi1')]: {} } } })
    expect(elsewhere.body.identity.userAssignedIdentities[MI('mi1')]).toEqual(ids[MI('mi1')])

    const old = await call<Json>(h, 'GET', at(cluster, '2023-05-01'))
    expect(old.status).toBe(200)
    expect(old.body).not.toHaveProperty('identity')
    expect(old.body.properties.aksAssignedIdentity).toBeNull()
    expect(schemaProblems(old.body, GET_2023)).toEqual([])
    // A GET-modify-PUT at the older version cannot see the identity, so it does not drop it.
    await expect.poll(() => provisioningState(h, at(cluster, '2025-03-01')), POLL).toBe('Succeeded')
    const replaced = await call<Json>(h, 'PUT', at(cluster, '2023-05-01'), { properties: { ...old.body.properties, configurationSettings: { a: 'b' } } })
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200)
    expect((await call<Json>(h, 'GET', at(cluster, '2025-03-01'))).body.identity.userAssignedIdentities).toEqual(ids)
  })

  it('keeps an aksAssignedIdentity the request sends next to user-assigned identities, and shows none without them', async () => {
    const cluster = await freshCluster()
    const identity = { type: 'UserAssigned', userAssignedIdentities: { [MI('mi1')]: {} } }
    const put = await call<Json>(h, 'PUT', at(cluster, '2025-03-01'), { identity, properties: { extensionType: 'microsoft.flux', aksAssignedIdentity: { type: 'SystemAssigned' } } })
    expect(put.status, JSON.stringify(put.body)).toBe(201)
    expect(put.body.properties.aksAssignedIdentity).toMatchObject({ type: 'SystemAssigned', principalId: expect.stringMatching(GUID) })
    const plain = await call<Json>(h, 'PUT', at(cluster, '2025-03-01', 'monitor'), { properties: { extensionType: 'microsoft.azuremonitor.containers' } })
    expect(plain.status, JSON.stringify(plain.body)).toBe(201)
    expect(plain.body.properties.aksAssignedIdentity).toBeNull()
  })

  it('PATCHes identity at 2025-03-01 (user-assigned identities merge, null removes one) and refuses it below', async () => {
    const cluster = await freshCluster()
    const url = at(cluster, '2025-03-01')
    expect((await call(h, 'PUT', url, { identity: { type: 'SystemAssigned' }, properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
    const old = await call<Json>(h, 'PATCH', at(cluster, '2023-05-01'), { identity: { type: 'SystemAssigned' } })
    expect(old.status).toBe(400)
    expect(old.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'identity' })

    const switched = await call<Json>(h, 'PATCH', url, { identity: { type: 'UserAssigned', userAssignedIdentities: { [MI('mi1')]: {} } } })
    expect(switched.status, JSON.stringify(switched.body)).toBe(202)
    expect(switched.body.identity.type).toBe('UserAssigned')
    expect(Object.keys(switched.body.identity.userAssignedIdentities)).toEqual([MI('mi1')])
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
    const merged = await call<Json>(h, 'PATCH', url, { identity: { userAssignedIdentities: { [MI('mi2')]: {}, [MI('mi1')]: null } } })
    expect(merged.status).toBe(202)
    expect(Object.keys(merged.body.identity.userAssignedIdentities)).toEqual([MI('mi2')])
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
    const emptied = await call<Json>(h, 'PATCH', url, { identity: { userAssignedIdentities: { [MI('mi2')]: null } } })
    expect(emptied.status).toBe(400)
    expect(emptied.body.error.target).toBe('identity.userAssignedIdentities')
    const removed = await call<Json>(h, 'PATCH', url, { identity: null })
    expect(removed.status).toBe(202)
    expect(removed.body).not.toHaveProperty('identity')
  })

  it.each([
    [{ type: 'UserAssigned' }, 'identity.userAssignedIdentities'],
    [{ type: 'UserAssigned', userAssignedIdentities: {} }, 'identity.userAssignedIdentities'],
    [{ type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a': {} } }, 'identity.userAssignedIdentities'],
    [{ type: 'UserAssigned', userAssignedIdentities: { 'not-an-id': {} } }, 'identity.userAssignedIdentities'],
    [{ type: 'SystemAssigned', userAssignedIdentities: { [MI('mi1')]: {} } }, 'identity.userAssignedIdentities'],
    [{ type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [MI('mi1')]: {} } }, 'identity.type'],
  ])('refuses identity %j naming %s', async (identity, target) => {
    const cluster = await freshCluster()
    const refused = await call<Json>(h, 'PUT', at(cluster, '2025-03-01'), { identity, properties: { extensionType: 'microsoft.flux' } })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({ code: 'InvalidRequestContent', target })
  })

  it.each(['2023-05-01', '2024-11-01', '2022-03-01'])('%s refuses UserAssigned, userAssignedIdentities and the Workload type', async (version) => {
    const cluster = await freshCluster()
    for (const [extra, target] of [
      [{ identity: { type: 'UserAssigned', userAssignedIdentities: { [MI('mi1')]: {} } } }, 'identity.type'],
      [{ identity: { type: 'SystemAssigned', userAssignedIdentities: {} } }, 'identity.userAssignedIdentities'],
      [{ properties: { extensionType: 'microsoft.flux', aksAssignedIdentity: { type: 'Workload' } } }, 'properties.aksAssignedIdentity.type'],
    ] as const) {
      const refused = await call<Json>(h, 'PUT', at(cluster, version), { properties: { extensionType: 'microsoft.flux' }, ...extra })
      expect(refused.status, JSON.stringify(extra)).toBe(400)
      expect(refused.body.error).toMatchObject({ code: 'InvalidRequestContent', target })
    }
  })
})

describe('aksAssignedIdentity Workload and extensionState', () => {
  it('echoes Workload at 2025-03-01, shows none below, and derives extensionState from provisioningState', async () => {
    const cluster = await freshCluster()
    const put = await call<Json>(h, 'PUT', at(cluster, '2025-03-01'), { properties: { extensionType: 'microsoft.flux', aksAssignedIdentity: { type: 'Workload' } } })
    expect(put.status).toBe(201)
    expect(put.body.properties.aksAssignedIdentity).toMatchObject({ type: 'Workload' })
    expect(put.body.properties.extensionState).toBe('Pending')
    await expect.poll(() => provisioningState(h, at(cluster, '2025-03-01')), POLL).toBe('Succeeded')
    expect((await call<Json>(h, 'GET', at(cluster, '2025-03-01'))).body.properties.extensionState).toBe('Ready')
    const old = await call<Json>(h, 'GET', at(cluster, '2023-05-01'))
    expect(old.body.properties.aksAssignedIdentity).toBeNull()
    expect(old.body.properties).not.toHaveProperty('extensionState')
    expect(schemaProblems(old.body, GET_2023)).toEqual([])
    const replaced = await call<Json>(h, 'PUT', at(cluster, '2023-05-01'), { properties: { ...old.body.properties, configurationSettings: { a: 'b' } } })
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200)
    expect((await call<Json>(h, 'GET', at(cluster, '2025-03-01'))).body.properties.aksAssignedIdentity).toMatchObject({ type: 'Workload' })
  })
})

describe('additionalDetails', () => {
  it("answers the publisher's links from the catalog at 2025-03-01, null for a type without them, and nothing below", async () => {
    const cluster = await freshCluster()
    const monitor = await call<Json>(h, 'PUT', at(cluster, '2025-03-01', 'monitor'), { properties: { extensionType: 'azuremonitor-containers' } })
    expect(monitor.status, JSON.stringify(monitor.body)).toBe(201)
    expect(monitor.body.properties.additionalDetails).toEqual(shipped.findType('microsoft.azuremonitor.containers')!.additionalDetails)
    expect(monitor.body.properties.additionalDetails).toMatchObject({ docs: expect.stringMatching(/^https:\/\//), troubleshootingGuide: expect.stringMatching(/^https:\/\//) })
    const flux = await call<Json>(h, 'PUT', at(cluster, '2025-03-01'), { properties: { extensionType: 'microsoft.flux' } })
    expect(shipped.findType('microsoft.flux')!.additionalDetails).toBeNull()
    expect(flux.body.properties.additionalDetails).toBeNull()
    const old = await call<Json>(h, 'GET', at(cluster, '2023-05-01', 'monitor'))
    expect(old.body.properties).not.toHaveProperty('additionalDetails')
  })
})

describe('managedBy', () => {
  const mark = (extensionId: string, managedBy: string | null) => call<Json>(h, 'PUT', '/admin/extensions/managed-by', { extensionId, managedBy })

  it('is never sent by users; an extension the operator marks as managed is read-only to them until cleared', async () => {
    const cluster = await freshCluster()
    const manager = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/${cluster}`
    const sent = await call<Json>(h, 'PUT', at(cluster, '2025-03-01'), { managedBy: manager, properties: { extensionType: 'microsoft.flux' } })
    expect(sent.status).toBe(400)
    expect(sent.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'managedBy' })

    expect((await call(h, 'PUT', at(cluster, '2025-03-01'), { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    await expect.poll(() => provisioningState(h, at(cluster, '2025-03-01')), POLL).toBe('Succeeded')
    const before = await call<Json>(h, 'GET', at(cluster, '2025-03-01'))
    const marked = await mark(extensionPath(sub, 'flux', cluster), manager)
    expect(marked.status, JSON.stringify(marked.body)).toBe(200)
    const got = await call<Json>(h, 'GET', at(cluster, '2025-03-01'))
    expect(got.headers.get('etag')).not.toBe(before.headers.get('etag'))
    expect(got.body.managedBy).toBe(manager)
    expect(got.body.properties.managementDetails).toMatchObject({ category: 'managed', accessDetails: [{ entity: 'Microsoft.ContainerService' }, { entity: 'Users', allowedActions: ['Read'] }] })
    // Below 2025-03-01 the field does not exist.
    expect((await call<Json>(h, 'GET', at(cluster, '2023-05-01'))).body).not.toHaveProperty('managedBy')

    for (const [method, body] of [
      ['PUT', { properties: { extensionType: 'microsoft.flux' } }],
      ['PATCH', { properties: { configurationSettings: { a: 'b' } } }],
      ['DELETE', undefined],
    ] as const) {
      const refused = await call<Json>(h, method, at(cluster, '2023-05-01'), body)
      expect(refused.status, method).toBe(409)
      expect(refused.body.error).toMatchObject({ code: 'OperationNotAllowed', target: 'managedBy' })
      expect(refused.body.error.message).toContain(manager)
    }
    expect((await call(h, 'DELETE', `${at(cluster, '2025-03-01')}&forceDelete=true`)).status).toBe(409)

    expect((await mark(extensionPath(sub, 'flux', cluster), null)).status).toBe(200)
    expect((await call(h, 'PATCH', at(cluster, '2025-03-01'), { properties: { configurationSettings: { a: 'b' } } })).status).toBe(202)
  })

  it('the operator endpoint answers 404 for an unknown extension and 400 for a malformed managedBy', async () => {
    const missing = await mark(extensionPath(sub, 'nothing', 'nowhere'), `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c`)
    expect(missing.status).toBe(404)
    const malformed = await mark(extensionPath(sub, 'flux', 'props-1'), 'someone')
    expect(malformed.status).toBe(400)
  })
})
