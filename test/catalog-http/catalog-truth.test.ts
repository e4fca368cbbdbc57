// The catalog features of issue #16 over real HTTP: a marketplace type without its plan, a second instance of a type
// installed under its legacy name, an update that skips a version's upgrade-from minimum, a version's own Kubernetes
// minimum, and a retirement date on an installed extension. The API runs on the shipped catalog plus one
// operator-added type with Flux's upgrade shape (CATALOG_FILE): shipped Flux 1.23.0 needs 1.21.0 first, but nothing
// older than 1.22.1 is inside its N-2 window, so a fresh install cannot start below the minimum.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATALOG_FILE_ENV, resetDefaultCatalog, shippedCatalogFile } from '../../core/catalog/index.js'
import { typeJson } from '../catalog/fixtures.js'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, startHarness, until, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const version = (v: string, extra: Json = {}) => ({ version: v, releasedOn: null, notes: [], ...extra })
const stepped = typeJson('contoso.stepped', {
  supportedClusterTypes: ['connectedClusters'],
  releaseTrains: [{ name: 'Stable', versions: [version('1.23.0', { upgradeFrom: '1.21.0' }), version('1.22.0'), version('1.21.0'), version('1.20.1')] }],
})

let h: Harness
let dir: string

beforeAll(async () => {
  const catalog = JSON.parse(readFileSync(shippedCatalogFile(), 'utf8')) as { types: unknown[] }
  catalog.types.push(stepped)
  dir = mkdtempSync(path.join(os.tmpdir(), 'arcext-catalog-truth-'))
  writeFileSync(path.join(dir, 'extension-types.json'), JSON.stringify(catalog))
  // Process-wide operator data: set for this file, restored after it (test files share worker processes).
  process.env[CATALOG_FILE_ENV] = path.join(dir, 'extension-types.json')
  resetDefaultCatalog()
  h = await startHarness()
})
afterAll(async () => {
  await h?.close()
  delete process.env[CATALOG_FILE_ENV]
  resetDefaultCatalog()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function registerCluster(sub: string): Promise<void> {
  expect((await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
}

async function putAndWait(sub: string, name: string, body: Json): Promise<Json> {
  const url = `${extensionPath(sub, name)}?${EXTENSION_API}`
  const response = await call<Json>(h, 'PUT', url, body)
  expect([200, 201], JSON.stringify(response.body)).toContain(response.status)
  const done = await until(
    () => call<Json>(h, 'GET', url),
    (r) => ['Succeeded', 'Failed', 'Canceled'].includes(String(r.body.properties?.provisioningState)),
  )
  expect(done.body.properties.provisioningState, JSON.stringify(done.body)).toBe('Succeeded')
  return done.body
}

describe('a marketplace type', () => {
  it('is refused without its plan (400 PlanRequired), and nothing is created', async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    const url = `${extensionPath(sub, 'vote')}?${EXTENSION_API}`
    const res = await call<Json>(h, 'PUT', url, { properties: { extensionType: 'azure-vote', releaseTrain: 'Preview' } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'PlanRequired', target: 'plan' })
    expect(res.body.error.message).toContain("'azure-vote'")
    expect((await call(h, 'GET', url)).status).toBe(404)
  })

  it("is refused with another offer's plan (400 PlanNotOffered)", async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    const plan = { name: 'azure-vote-premium', product: 'azure-vote-standard-offer-id', publisher: 'Microsoft' }
    const res = await call<Json>(h, 'PUT', `${extensionPath(sub, 'vote')}?${EXTENSION_API}`, { properties: { extensionType: 'azure-vote', releaseTrain: 'Preview' }, plan })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'PlanNotOffered', target: 'plan.name' })
  })

  it('installs with its plan, which the extension then shows', async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    const plan = { name: 'azure-vote-standard', product: 'azure-vote-standard-offer-id', publisher: 'Microsoft' }
    const body = await putAndWait(sub, 'vote', { properties: { extensionType: 'azure-vote', releaseTrain: 'Preview' }, plan })
    expect(body).toMatchObject({ plan, properties: { extensionType: 'azure-vote', currentVersion: '0.1.4' } })
  })
})

describe('a legacy type name', () => {
  it('installs the catalog type, keeps the name the caller sent, and counts as that type for the single-instance rule', async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    const first = await putAndWait(sub, 'monitor', { properties: { extensionType: 'azuremonitor-containers' } })
    expect(first.properties).toMatchObject({ extensionType: 'azuremonitor-containers', releaseTrain: 'Stable' })
    const second = await call<Json>(h, 'PUT', `${extensionPath(sub, 'monitor2')}?${EXTENSION_API}`, { properties: { extensionType: 'Microsoft.AzureMonitor.Containers' } })
    expect(second.status).toBe(409)
    expect(second.body.error).toMatchObject({ code: 'MultipleInstancesNotAllowed' })
    expect(second.body.error.message).toContain("'monitor'")
  })
})

describe("a version's upgrade-from minimum", () => {
  it('refuses an update that skips it, naming the version to install first; the two steps then succeed', async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    const pin = (v: string) => ({ properties: { extensionType: 'contoso.stepped', autoUpgradeMinorVersion: false, version: v } })
    await putAndWait(sub, 'stepped', pin('1.20.1'))
    const url = `${extensionPath(sub, 'stepped')}?${EXTENSION_API}`

    const skip = await call<Json>(h, 'PUT', url, pin('1.23.0'))
    expect(skip.status).toBe(400)
    expect(skip.body.error).toMatchObject({ code: 'UpgradePathNotSupported', target: 'properties.version' })
    expect(skip.body.error.message).toContain("Update to version '1.22.0' first, then to '1.23.0'.")
    const patch = await call<Json>(h, 'PATCH', url, { properties: { version: '1.23.0' } })
    expect(patch.status).toBe(400)
    expect(patch.body.error.code).toBe('UpgradePathNotSupported')
    expect((await call<Json>(h, 'GET', url)).body.properties).toMatchObject({ currentVersion: '1.20.1', version: '1.20.1' })

    expect((await putAndWait(sub, 'stepped', pin('1.22.0'))).properties.currentVersion).toBe('1.22.0')
    expect((await putAndWait(sub, 'stepped', pin('1.23.0'))).properties.currentVersion).toBe('1.23.0')
  })
})

async function registerClusterWith(sub: string, properties: Json): Promise<void> {
  const body = { ...compatibleCluster, properties: { ...compatibleCluster.properties, ...properties } }
  expect((await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, body)).status).toBe(201)
}

describe("a version's own constraints (shipped Secret Store 1.3.0 needs Kubernetes 1.30)", () => {
  it('refuses pinning it on an older cluster, naming the version, and installs the next one there', async () => {
    const sub = freshSubscription()
    await registerClusterWith(sub, { kubernetesVersion: 'v1.29.7' })
    const pin = (v: string) => ({ properties: { extensionType: 'microsoft.azure.secretstore', autoUpgradeMinorVersion: false, version: v } })
    const refused = await call<Json>(h, 'PUT', `${extensionPath(sub, 'sse')}?${EXTENSION_API}`, pin('1.3.0'))
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({ code: 'KubernetesVersionTooLow', target: 'properties.version' })
    expect(refused.body.error.message).toContain("Version '1.3.0' of extension type 'microsoft.azure.secretstore' requires Kubernetes 1.30 or later, but the cluster runs v1.29.7.")
    expect((await call(h, 'GET', `${extensionPath(sub, 'sse')}?${EXTENSION_API}`)).status).toBe(404)
    expect((await putAndWait(sub, 'sse', pin('1.4.0'))).properties.currentVersion).toBe('1.4.0')
  })
})

describe('a retirement date', () => {
  it('shows on an installed extension of the type as a warning status', async () => {
    const sub = freshSubscription()
    await registerClusterWith(sub, { distribution: 'eks' })
    const body = await putAndWait(sub, 'osm', { properties: { extensionType: 'microsoft.openservicemesh' } })
    // Before the date it is a notice, from the date on a retirement: either way a warning that names the date.
    const retiring = (body.properties.statuses as Json[]).find((status) => /^ExtensionTypeRetir(ing|ed)$/.test(String(status.code)))
    expect(retiring).toMatchObject({ level: 'Warning' })
    expect(retiring?.message).toMatch(/^Azure Arc-enabled Open Service Mesh \(microsoft\.openservicemesh\) (retires|was retired) on 2027-09-30/)
  })
})
