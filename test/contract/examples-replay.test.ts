// Replays every upstream x-ms-example of the extensions API (Extensions_*, OperationStatus_*, Operations_List) at
// every stable api-version in the spec pack against the real API: preconditions are set up through the API, the
// example's request is sent, and the answer must carry a status code the example lists and the example's shape
// (and nothing the swagger of that api-version does not declare). extensionTypes examples are covered elsewhere.
//
// What is mapped, and why (spec/README.md §4 lists the examples' copy-paste noise, which is not contract):
// - subscriptionId 'subId1' is not a GUID, which ARM (and this RP) requires: each case gets its own fixed GUID.
// - operationId '9999…' of the status examples names an operation that never ran here: the case uses the id from
//   the Azure-AsyncOperation header of the operation it started.
// - Resource ids/names inside response examples (BackupVault01 vs App1Monitor, http://, subId, ConnectedClusters,
//   api-version 2022-04-01-preview) are never compared; ids are compared with the request path instead.
// - Nothing about the extension types: the replay runs against the shipped catalog, which resolves the examples'
//   legacy name `azuremonitor-containers` as an alias, has its Preview train, and lists the marketplace type
//   `azure-vote` as a marketplace type with the plan the examples send (planInfo, docs/catalog.md). Only resources the examples show but never create (Get/List
//   preconditions) are recreated with what the catalog can install (createBodyFrom).
// - A managed extension (2025-03-01 GetExtensionWithManagedBy, GetExtensionWithManagementDetails) is made managed
//   the way Azure's managing service would, through the operator endpoint PUT /admin/extensions/managed-by (users
//   cannot send managedBy); the manager is the cluster itself, as GetExtensionWithManagedBy shows. The same resource in
//   GetExtensionWithManagementDetails shows the managed category without managedBy; our answer carries it (declared
//   by the swagger), and the shape comparison does not count what an example leaves out.
// - Answers may carry what support/beyond-swagger.ts lists beyond a version's swagger, with its reasons.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, shippedCatalogFile } from '../../core/catalog/catalog.js'
import { findReleaseTrain, findVersion } from '../../core/catalog/release-trains.js'
import { findClusterParentType } from '../../core/domain/cluster-types.js'
import { call, compatibleCluster, startHarness, until, type ArmResponse, type Harness } from '../helpers/harness.js'
import { beyondSwagger } from './support/beyond-swagger.js'
import { shapeMismatches } from './support/shape.js'
import { responseSchema, undeclaredProperties, upstreamExamples, type Json, type UpstreamExample } from './support/upstream-spec.js'

const TERMINAL = ['Succeeded', 'Failed', 'Canceled']
const EXTENSION_TYPE = 'Microsoft.KubernetesConfiguration/extensions'
/** Maps of caller data per operation (swagger additionalProperties): their keys are values, not property names. */
const EXTENSION_MAPS = ['$.properties.configurationSettings', '$.properties.customLocationSettings', '$.identity.userAssignedIdentities']
const MAPS: Record<string, string[]> = {
  Extensions_Create: EXTENSION_MAPS,
  Extensions_Get: EXTENSION_MAPS,
  Extensions_Update: EXTENSION_MAPS,
  Extensions_List: EXTENSION_MAPS.map((m) => m.replace('$', '$.value[]')),
  OperationStatus_Get: ['$.properties'],
  OperationStatus_List: ['$.value[].properties'],
}
/** The ARM RPC's optional operation-status fields that common/2022-03-01 OperationStatusResult leaves out (spec/README.md §6). */
const RPC_STATUS_FIELDS = ['startTime', 'endTime', 'percentComplete']
const RPC_TOLERATED = [...RPC_STATUS_FIELDS.map((f) => `$.${f}`), ...RPC_STATUS_FIELDS.map((f) => `$.value[].${f}`)]
const tolerated = (s: Scene) => [...RPC_TOLERATED, ...beyondSwagger(s.version), ...beyondSwagger(s.version, '$.value[]')]
/**
 * Examples in a version's folder that its swagger's x-ms-examples do not name, with the operation they document:
 * GetExtensionWithExtensionState sends Extensions_Get's parameters (an extensionName, no body) and shows an Extension.
 */
const ADOPTED: Readonly<Record<string, string>> = { '2025-03-01/GetExtensionWithExtensionState': 'Extensions_Get' }
/** Listed status codes this RP never answers, with the reason; every other listed code is replayed. */
const NOT_PRODUCED: Record<string, Record<string, string>> = {
  Extensions_Delete: { '200': 'a synchronous delete: this RP always uninstalls asynchronously (202), or answers 204 when absent' },
}

/**
 * The type shown by a list example's item that no one can install: `Microsoft.RecoveryServices/recoveryVault` is a
 * resource type, not an extension type (`/` is not allowed in one). The list replay recreates that item as a shipped
 * type that takes the same writable settings (Stable, auto-upgrade, cluster scope); the value is not part of the shape.
 */
const RESPONSE_ONLY_TYPE_SUBSTITUTES: Readonly<Record<string, string>> = {
  'microsoft.recoveryservices/recoveryvault': 'microsoft.flux',
}

/** The shipped catalog, read directly: the api and worker under test use the same file (no CATALOG_FILE). */
const shipped = loadCatalog(shippedCatalogFile())

let h: Harness
/** No worker: operations stay in flight, for the examples about in-progress state (409, OperationStatus_List). */
let idle: Harness

beforeAll(async () => {
  ;[h, idle] = await Promise.all([startHarness(), startHarness({ worker: false })])
})
afterAll(async () => {
  await Promise.all([h?.close(), idle?.close()])
})

// ---- helpers ----

/** A GUID fixed per case, standing in for the examples' 'subId1'. */
function subscriptionFor(title: string): string {
  const hex = createHash('sha256').update(title).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

interface Scene {
  example: UpstreamExample
  status: string
  sub: string
  version: string
  clusterPath: string
  extensionPath: (name?: string) => string
  listPath: string
}

function scene(example: UpstreamExample, status: string, title: string): Scene {
  const p = example.parameters
  const sub = subscriptionFor(title)
  const clusterPath = `/subscriptions/${sub}/resourceGroups/${p.resourceGroupName}/providers/${p.clusterRp}/${p.clusterResourceName}/${p.clusterName}`
  return {
    example,
    status,
    sub,
    version: p['api-version'],
    clusterPath,
    extensionPath: (name = p.extensionName) => `${clusterPath}/providers/Microsoft.KubernetesConfiguration/extensions/${name}`,
    listPath: `${clusterPath}/providers/Microsoft.KubernetesConfiguration/extensions`,
  }
}

const q = (s: Scene) => `api-version=${s.version}`

/** The request body parameter of the example (`extension`, `patchExtension`). */
function requestBody(example: UpstreamExample): Json {
  const body = Object.values(example.parameters).find((v) => typeof v === 'object' && v !== null)
  if (!body) throw new Error(`${example.name} has no body parameter`)
  return body as Json
}

function exampleBody(s: Scene): Json {
  const body = s.example.responses[s.status]?.body
  if (body === undefined) throw new Error(`${s.example.name} lists ${s.status} without a body`)
  return body as Json
}

/** Whether the shipped catalog has this version of the type on the train. */
function catalogHas(type: string, releaseTrain: unknown, version: string): boolean {
  const spec = shipped.findType(type)
  const train = spec && findReleaseTrain(spec, typeof releaseTrain === 'string' ? releaseTrain : 'Stable')
  return train !== undefined && findVersion(train, version) !== undefined
}

/**
 * A PUT body that recreates a resource an example shows, from its writable properties. The version is pinned as
 * shown only where the RP would accept it: with autoUpgradeMinorVersion=false (a pinned version needs it), and only
 * when the catalog has that version (the substitute of a response-only type does not have the version the example
 * shows); otherwise the catalog picks one.
 */
function createBodyFrom(resource: Json): Json {
  const p = resource.properties as Json
  const type = String(p.extensionType)
  const properties: Json = { extensionType: RESPONSE_ONLY_TYPE_SUBSTITUTES[type.toLowerCase()] ?? type }
  for (const key of ['autoUpgradeMinorVersion', 'releaseTrain', 'scope', 'configurationSettings']) if (p[key] !== undefined) properties[key] = p[key]
  const pinned = typeof p.version === 'string' && p.autoUpgradeMinorVersion === false && catalogHas(String(properties.extensionType), p.releaseTrain, p.version)
  if (pinned) properties.version = p.version
  // A pinned version is stored with mode none (docs/arm-rules.md rule 58); some 2025-03-01 examples show a pinned
  // version next to mode compatible, a pair the RP refuses in a request, so the mode is sent only when unpinned.
  else if (p.autoUpgradeMode !== undefined) properties.autoUpgradeMode = p.autoUpgradeMode
  return { properties, ...(resource.plan ? { plan: resource.plan } : {}) }
}

async function registerCluster(harness: Harness, s: Scene): Promise<void> {
  const p = s.example.parameters
  const parent = findClusterParentType(p.clusterRp, p.clusterResourceName)
  if (!parent) throw new Error(`${s.example.name}: no cluster registry for ${p.clusterRp}/${p.clusterResourceName}`)
  const res = await call(harness, 'PUT', `${s.clusterPath}?api-version=${parent.registryApiVersions[0]}`, compatibleCluster)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
}

async function createExtension(harness: Harness, s: Scene, name: string, body: Json): Promise<ArmResponse> {
  const res = await call(harness, 'PUT', `${s.extensionPath(name)}?${q(s)}`, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res
}

async function waitSucceeded(s: Scene, name?: string): Promise<Json> {
  const done = await until(
    () => call(h, 'GET', `${s.extensionPath(name)}?${q(s)}`),
    (r) => r.status === 200 && TERMINAL.includes(String((r.body.properties as Json).provisioningState)),
  )
  expect((done.body.properties as Json).provisioningState, JSON.stringify(done.body)).toBe('Succeeded')
  return done.body
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The long-running-operation headers: where to poll (on our address, same api-version) and the example's timeout hint. */
function expectAsyncHeaders(res: ArmResponse, harness: Harness, s: Scene, name?: string): string {
  const asyncUrl = res.headers.get('azure-asyncoperation') ?? ''
  expect(asyncUrl).toMatch(new RegExp(`^${escape(harness.baseUrl + s.extensionPath(name))}/operations/[0-9a-f-]{36}\\?api-version=${s.version}$`))
  expect(res.headers.get('location') ?? '').toMatch(new RegExp(`^${escape(harness.baseUrl)}/`))
  const timeout = s.example.responses[s.status]?.headers?.['x-ms-async-operation-timeout']
  if (timeout) expect(res.headers.get('x-ms-async-operation-timeout')).toBe(timeout)
  return asyncUrl
}

/** The answer has a listed status, the example's shape, only properties the swagger declares, and no secret. */
function expectLikeExample(res: ArmResponse, s: Scene, expected: unknown = s.example.responses[s.status]?.body): void {
  expect(Object.keys(s.example.responses)).toContain(s.status)
  expect(res.status, JSON.stringify(res.body)).toBe(Number(s.status))
  if (expected === undefined) {
    expect(res.body).toBeUndefined()
    return
  }
  expect(shapeMismatches(expected, res.body, { maps: MAPS[s.example.operationId] ?? [] })).toEqual([])
  const schema = responseSchema(s.example, s.status)
  if (schema) expect(undeclaredProperties(res.body, schema, tolerated(s))).toEqual([])
  const text = JSON.stringify(res.body)
  expect(text).not.toContain('configurationProtectedSettings')
  expect(text).not.toContain('secretKeyValue01')
}

/** What the caller set comes back as set (docs/arm-rules.md rule 24), and id/name/type are the request's (docs/arm-rules.md rule 2). */
function expectResource(body: Json, s: Scene, name: string, sent?: Json): void {
  expect(body).toMatchObject({ id: s.extensionPath(name), name, type: EXTENSION_TYPE })
  if (!sent) return
  const { configurationProtectedSettings: _secret, ...writable } = sent.properties as Json
  expect(body.properties).toMatchObject(writable)
  if (sent.plan && s.version >= '2022-11-01') expect(body.plan).toEqual(sent.plan)
  const identity = sent.identity as Json | undefined
  if (identity) {
    expect((body.identity as Json).type).toBe(identity.type)
    expect(Object.keys(((body.identity as Json).userAssignedIdentities ?? {}) as Json)).toEqual(Object.keys((identity.userAssignedIdentities ?? {}) as Json))
  }
}

/** Whether the example shows a managed extension (managedBy, or managementDetails that only a managed one has). */
const showsManaged = (resource: Json) => resource.managedBy !== undefined || (resource.properties as Json).managementDetails != null

/** Marks the extension as managed by its cluster, as Azure's managing service would (operator endpoint). */
async function markManaged(s: Scene): Promise<void> {
  const res = await call(h, 'PUT', '/admin/extensions/managed-by', { extensionId: s.extensionPath(), managedBy: s.clusterPath })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
}

/** What a GET example shows that is contract beyond the shape: who manages it, and the extension's state. */
function expectShownValues(body: Json, example: Json, s: Scene): void {
  if (example.managedBy !== undefined) expect(body.managedBy).toBe(s.clusterPath)
  const shown = example.properties as Json
  const ours = body.properties as Json
  if (shown.managementDetails != null) expect(ours.managementDetails).toEqual(shown.managementDetails)
  if (shown.extensionState !== undefined) expect(ours.extensionState).toBe(shown.extensionState)
}

// ---- one replay per operation and listed status code ----

type Replay = (s: Scene) => Promise<void>

const replays: Record<string, Record<string, [scenario: string, Replay]>> = {
  Extensions_Create: {
    '201': [
      'creates the extension',
      async (s) => {
        await registerCluster(h, s)
        const body = requestBody(s.example)
        const res = await call(h, 'PUT', `${s.extensionPath()}?${q(s)}`, body)
        expectLikeExample(res, s)
        expectResource(res.body, s, s.example.parameters.extensionName, body)
        expectAsyncHeaders(res, h, s)
        expect((res.body.properties as Json).provisioningState).toBe('Creating')
        await waitSucceeded(s)
      },
    ],
    '200': [
      'replaces the existing extension',
      async (s) => {
        await registerCluster(h, s)
        const body = requestBody(s.example)
        await createExtension(h, s, s.example.parameters.extensionName, body)
        await waitSucceeded(s)
        const res = await call(h, 'PUT', `${s.extensionPath()}?${q(s)}`, body)
        expectLikeExample(res, s)
        expectResource(res.body, s, s.example.parameters.extensionName, body)
        expectAsyncHeaders(res, h, s)
        await waitSucceeded(s)
      },
    ],
  },
  Extensions_Get: {
    '200': [
      'reads the installed extension',
      async (s) => {
        await registerCluster(h, s)
        const body = createBodyFrom(exampleBody(s))
        await createExtension(h, s, s.example.parameters.extensionName, body)
        await waitSucceeded(s)
        if (showsManaged(exampleBody(s))) await markManaged(s)
        const res = await call(h, 'GET', `${s.extensionPath()}?${q(s)}`)
        expectLikeExample(res, s)
        expectResource(res.body, s, s.example.parameters.extensionName, body)
        expectShownValues(res.body, exampleBody(s), s)
      },
    ],
  },
  Extensions_List: {
    '200': [
      'lists every extension of the cluster',
      async (s) => {
        await registerCluster(h, s)
        const items = (exampleBody(s).value as Json[]).map((item) => ({ name: String(item.name), item, body: createBodyFrom(item) }))
        for (const { name, body } of items) await createExtension(h, s, name, body)
        for (const { name } of items) await waitSucceeded(s, name)
        const res = await call<{ value: Json[] }>(h, 'GET', `${s.listPath}?${q(s)}`)
        const { value: _items, ...envelope } = exampleBody(s)
        expectLikeExample(res, s, envelope)
        expect(res.body.value.map((r) => r.name).sort()).toEqual(items.map((i) => i.name).sort())
        for (const { name, item, body } of items) {
          const ours = res.body.value.find((r) => r.name === name) as Json
          expect(shapeMismatches(item, ours, { maps: EXTENSION_MAPS }), name).toEqual([])
          expectResource(ours, s, name, body)
        }
      },
    ],
  },
  Extensions_Update: {
    '200': [
      'changes nothing when the extension already has the patched values',
      async (s) => {
        await registerCluster(h, s)
        const patch = requestBody(s.example)
        const current = createBodyFrom({ ...exampleBody(s), properties: { ...(exampleBody(s).properties as Json), ...(patch.properties as Json) } })
        // The same protected settings too: a PATCH that changes them is a change (docs/arm-rules.md rule 30).
        ;(current.properties as Json).configurationProtectedSettings = (patch.properties as Json).configurationProtectedSettings
        await createExtension(h, s, s.example.parameters.extensionName, current)
        await waitSucceeded(s)
        const res = await call(h, 'PATCH', `${s.extensionPath()}?${q(s)}`, patch)
        expectLikeExample(res, s)
        expectResource(res.body, s, s.example.parameters.extensionName)
        expect((res.body.properties as Json).provisioningState).toBe('Succeeded')
      },
    ],
    '202': [
      'starts an update that changes settings',
      async (s) => {
        await registerCluster(h, s)
        const patch = requestBody(s.example)
        const { configurationSettings: _changed, ...before } = exampleBody(s).properties as Json
        await createExtension(h, s, s.example.parameters.extensionName, createBodyFrom({ ...exampleBody(s), properties: before }))
        await waitSucceeded(s)
        const res = await call(h, 'PATCH', `${s.extensionPath()}?${q(s)}`, patch)
        expectLikeExample(res, s)
        expectResource(res.body, s, s.example.parameters.extensionName)
        expectAsyncHeaders(res, h, s)
        expect((res.body.properties as Json).provisioningState).toBe('Updating')
        const after = await waitSucceeded(s)
        expect((after.properties as Json).configurationSettings).toEqual((patch.properties as Json).configurationSettings)
      },
    ],
    '409': [
      'is refused while another operation on the extension is in flight',
      async (s) => {
        await registerCluster(idle, s)
        await createExtension(idle, s, s.example.parameters.extensionName, createBodyFrom(s.example.responses['202']!.body as Json))
        const res = await call(idle, 'PATCH', `${s.extensionPath()}?${q(s)}`, requestBody(s.example))
        expectLikeExample(res, s)
      },
    ],
  },
  Extensions_Delete: {
    '202': [
      'starts uninstalling the extension, which then disappears',
      async (s) => {
        await registerCluster(h, s)
        await createExtension(h, s, s.example.parameters.extensionName, { properties: { extensionType: 'azuremonitor-containers' } })
        await waitSucceeded(s)
        const res = await call(h, 'DELETE', `${s.extensionPath()}?${q(s)}`)
        expectLikeExample(res, s)
        expectAsyncHeaders(res, h, s)
        // until, not expect.poll: in concurrent cases the global expect may not know which test is running.
        const gone = await until(
          () => call(h, 'GET', `${s.extensionPath()}?${q(s)}`),
          (r) => r.status === 404,
        )
        expect(gone.status).toBe(404)
      },
    ],
    '204': [
      'answers 204 for an extension that does not exist',
      async (s) => {
        await registerCluster(h, s)
        const res = await call(h, 'DELETE', `${s.extensionPath()}?${q(s)}`)
        expectLikeExample(res, s)
      },
    ],
  },
  OperationStatus_Get: {
    '200': [
      'reports the finished operation that installed the extension',
      async (s) => {
        await registerCluster(h, s)
        const put = await createExtension(h, s, s.example.parameters.extensionName, { properties: { extensionType: 'azuremonitor-containers' } })
        const operationId = expectAsyncHeaders(put, h, { ...s, status: '201' })
          .split('/operations/')[1]!
          .split('?')[0]!
        await waitSucceeded(s)
        const res = await call(h, 'GET', `${s.extensionPath()}/operations/${operationId}?${q(s)}`)
        expectLikeExample(res, s)
        expect(res.body).toMatchObject({ id: `${s.extensionPath()}/operations/${operationId}`, name: operationId, status: 'Succeeded' })
      },
    ],
  },
  OperationStatus_List: {
    '200': [
      'lists the operations in flight on the cluster',
      async (s) => {
        await registerCluster(idle, s)
        const names = (exampleBody(s).value as Json[]).map((op) => String(op.id).split('/extensions/')[1]!.split('/')[0]!)
        // Two types that may share a cluster, neither a marketplace type (a plan cannot be sent before 2022-11-01).
        const types = ['azuremonitor-containers', 'microsoft.flux']
        const expectedIds: string[] = []
        for (const [i, name] of names.entries()) {
          const put = await createExtension(idle, s, name, { properties: { extensionType: types[i % types.length] } })
          expectedIds.push(new URL(put.headers.get('azure-asyncoperation')!).pathname)
        }
        const res = await call<{ value: Json[] }>(idle, 'GET', `${s.clusterPath}/providers/Microsoft.KubernetesConfiguration/operations?${q(s)}`)
        expectLikeExample(res, s)
        expect(res.body.value.map((op) => op.id).sort()).toEqual(expectedIds.sort())
      },
    ],
  },
  Operations_List: {
    '200': [
      "lists the provider's operations, including every extensions operation the example lists",
      async (s) => {
        const res = await call<{ value: Json[] }>(h, 'GET', `/providers/Microsoft.KubernetesConfiguration/operations?${q(s)}`)
        expectLikeExample(res, s)
        const ours = res.body.value.map((op) => String(op.name).toLowerCase())
        const theirs = (exampleBody(s).value as Json[]).map((op) => String(op.name)).filter((n) => /^Microsoft\.KubernetesConfiguration\/extensions\//i.test(n))
        expect(theirs.length).toBeGreaterThan(0)
        for (const name of theirs) expect(ours, name).toContain(name.toLowerCase())
      },
    ],
  },
}

// ---- the cases ----

const examples = upstreamExamples(ADOPTED).filter((e) => !e.operationId.startsWith('ExtensionTypes_'))

// Cases touch disjoint subscriptions, so they run concurrently; most of their time is waiting for the worker.
describe.concurrent('upstream x-ms-examples replay', () => {
  it('finds the examples of every stable api-version, each documenting an operation of the swaggers', () => {
    expect(new Set(examples.map((e) => e.apiVersion))).toEqual(new Set(['2021-09-01', '2022-03-01', '2022-07-01', '2022-11-01', '2023-05-01', '2024-11-01', '2025-03-01']))
    expect(examples.filter((e) => e.operationId === '').map((e) => e.file)).toEqual([])
    expect(examples.length).toBeGreaterThanOrEqual(47)
    // 2024-11-01 and 2025-03-01 live in upstream's split layout (extensions/stable/); each example is checked against that swagger.
    for (const [version, count] of [
      ['2024-11-01', 6],
      ['2025-03-01', 13],
    ] as const) {
      const swagger = new RegExp(`/extensions/stable/${version}/extensions\\.json$`)
      expect(examples.filter((e) => e.apiVersion === version).map((e) => e.swaggerFile)).toEqual(Array(count).fill(expect.stringMatching(swagger)))
    }
  })

  for (const example of examples) {
    describe(`${example.apiVersion} ${example.name} (${example.operationId})`, () => {
      for (const status of Object.keys(example.responses)) {
        const reason = NOT_PRODUCED[example.operationId]?.[status]
        if (reason) continue
        const replay = replays[example.operationId]?.[status]
        const title = `→ ${status}: ${replay?.[0] ?? 'has a replay'}`
        it(title, async () => {
          if (!replay) throw new Error(`no replay for ${example.operationId} answering ${status}; add one to the replays table`)
          await replay[1](scene(example, status, `${example.apiVersion}/${example.name}/${status}`))
        })
      }
    })
  }
})
