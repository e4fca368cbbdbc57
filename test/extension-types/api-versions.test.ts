// extensionTypes at the preview api-versions the az CLI calls (2023-05-01-preview; 2022-01-15-preview for older
// CLIs): every GET each vendored swagger declares answers over real HTTP with a body that validates against that
// swagger's own response schema (types and required fields by ajv, and no property the schema does not declare),
// and each version's distinguishing shape is pinned.
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shippedCatalogFile } from '../../core/catalog/catalog.js'
import { inlinedSchema, providerSwagger, swaggerGets, undeclaredProperties, type Json, type SwaggerOperation } from '../contract/support/upstream-spec.js'
import { call, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

const RAW = JSON.parse(readFileSync(shippedCatalogFile(), 'utf8')) as { types: { type: string; supportedClusterTypes: string[]; scope: string; releaseTrains: { name: string }[] }[] }
const FLUX = RAW.types.find((t) => t.type === 'microsoft.flux')!

const SWAGGERS = {
  '2023-05-01-preview': providerSwagger('extensionTypes/preview/2023-05-01-preview/extensionTypes.json'),
  '2022-01-15-preview': providerSwagger('extensionTypes/preview/2022-01-15-preview/extensionTypes.json'),
} as const

// strict off: swagger schemas carry annotations (readOnly, x-ms-*) that are not JSON Schema keywords.
const ajv = new Ajv({ allErrors: true, strict: false })

let h: Harness
const sub = freshSubscription()
let clusterId: string

beforeAll(async () => {
  h = await startHarness({ worker: false, transport: 'inject' })
  clusterId = await registerCluster(h, sub, 'cli-cluster')
})
afterAll(() => h?.close())

/** The swagger's path template with this test's subscription, cluster, type and version filled in. */
function concretePath(template: string, version: string): string {
  const cluster = clusterId.match(/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/)!
  const values: Record<string, string> = {
    subscriptionId: sub,
    location: 'eastus',
    resourceGroupName: cluster[1]!,
    clusterRp: cluster[2]!,
    clusterResourceName: cluster[3]!,
    clusterName: cluster[4]!,
    extensionTypeName: FLUX.type,
    versionNumber: version,
  }
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`)
    return value
  })
}

function schemaProblems(body: unknown, operation: SwaggerOperation): string[] {
  const validate = ajv.compile(inlinedSchema(operation.response))
  const typeProblems = validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
  return [...typeProblems, ...undeclaredProperties(body, operation.response)]
}

async function newestFluxVersion(): Promise<string> {
  const list = await call<Json>(h, 'GET', `/subscriptions/${sub}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes/${FLUX.type}/versions?api-version=2024-11-01-preview`)
  return list.body.value.at(-1).name as string
}

describe.each(Object.entries(SWAGGERS))('extensionTypes at %s', (apiVersion, swaggerFile) => {
  const operations = swaggerGets(swaggerFile)

  it('the vendored swagger declares the operations this test walks', () => {
    expect(operations.length).toBe(apiVersion === '2022-01-15-preview' ? 4 : 8)
  })

  it.each(operations.map((o) => [o.operationId, o] as const))('%s answers a body valid against its own swagger', async (_, operation) => {
    const url = `${concretePath(operation.path, await newestFluxVersion())}?api-version=${apiVersion}`
    const res = await call<Json>(h, 'GET', url)
    expect(res.status, url).toBe(200)
    expect(schemaProblems(res.body, operation)).toEqual([])
    // A list walks every type, so namespace- and cluster-scoped types are both checked.
    if (Array.isArray(res.body.value) && 'properties' in (res.body.value[0] ?? {}) && !('version' in res.body.value[0].properties)) {
      expect(res.body.value.length).toBeGreaterThan(1)
    }
  })
})

describe('each version in its own shape', () => {
  const typeUrl = (apiVersion: string) => `${clusterId}/providers/Microsoft.KubernetesConfiguration/extensionTypes/${FLUX.type}?api-version=${apiVersion}`
  const locationList = (apiVersion: string) => `/subscriptions/${sub}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes?api-version=${apiVersion}`

  it('2022-01-15-preview carries properties.clusterTypes (an array) and nothing its swagger lacks', async () => {
    const got = await call<Json>(h, 'GET', typeUrl('2022-01-15-preview'))
    expect(got.status).toBe(200)
    expect(got.body.properties).toEqual({
      releaseTrains: FLUX.releaseTrains.map((t) => t.name),
      clusterTypes: FLUX.supportedClusterTypes,
      supportedScopes: { defaultScope: 'cluster', clusterScopeSettings: { allowMultipleInstances: false, defaultReleaseNamespace: 'flux-system' } },
    })
    const list = await call<Json>(h, 'GET', locationList('2022-01-15-preview'))
    expect(list.body.value.map((t: Json) => t.properties.clusterTypes)).toEqual([...RAW.types].sort((a, b) => (a.type < b.type ? -1 : 1)).map((t) => t.supportedClusterTypes))
  })

  it('2022-01-15-preview lists versions per release train and refuses the operations its swagger lacks', async () => {
    const versions = await call<Json>(
      h,
      'GET',
      `/subscriptions/${sub}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes/${FLUX.type}/versions?api-version=2022-01-15-preview`,
    )
    expect(versions.body.value).toEqual([{ releaseTrain: 'Stable', versions: ['1.22.1', '1.22.2', '1.23.0'] }])
    const version = await call<Json>(h, 'GET', `${clusterId}/providers/Microsoft.KubernetesConfiguration/extensionTypes/${FLUX.type}/versions/1.23.0?api-version=2022-01-15-preview`)
    expect(version.status).toBe(400)
    expect(version.body).toMatchObject({ error: { code: 'NoRegisteredProviderFound' } })
    const locationGet = await call<Json>(h, 'GET', `/subscriptions/${sub}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes/${FLUX.type}?api-version=2022-01-15-preview`)
    expect(locationGet.status).toBe(400)
  })

  it('2023-05-01-preview nests cluster scope settings, and lists version resources of the Stable train by default', async () => {
    const got = await call<Json>(h, 'GET', typeUrl('2023-05-01-preview'))
    expect(got.body.properties).toMatchObject({
      isManagedIdentityRequired: false,
      supportedClusterTypes: FLUX.supportedClusterTypes,
      supportedScopes: { clusterScopeSettings: { properties: { allowMultipleInstances: false, defaultReleaseNamespace: 'flux-system' } } },
    })
    expect(got.body.properties.clusterTypes).toBeUndefined()
    expect(got.body.properties.supportedScopes.clusterScopeSettings.allowMultipleInstances).toBeUndefined()
    const versions = await call<Json>(h, 'GET', `${clusterId}/providers/Microsoft.KubernetesConfiguration/extensionTypes/${FLUX.type}/versions?api-version=2023-05-01-preview`)
    expect(versions.body.value.map((v: Json) => v.name)).toEqual(['1.22.1', '1.22.2', '1.23.0'])
    expect(versions.body.value[0].type).toBe('Microsoft.KubernetesConfiguration/extensionTypes/versions')
  })

  it('the provider registration lists exactly the served extensionTypes versions', async () => {
    const provider = await call<Json>(h, 'GET', `/subscriptions/${sub}/providers/Microsoft.KubernetesConfiguration?api-version=2021-04-01`)
    expect(provider.status).toBe(200)
    const types = provider.body.resourceTypes.find((t: Json) => t.resourceType === 'extensionTypes')
    expect([...types.apiVersions].sort()).toEqual(['2022-01-15-preview', '2023-05-01', '2023-05-01-preview', '2024-11-01-preview'])
  })
})
