// Each extensions api-version accepts exactly its own shape (issue 16): its request schemas are the writable part of
// its vendored swagger; over HTTP a field or value only a later swagger defines is refused naming it, a body using
// every writable field of its own swagger is accepted, and the answer declares nothing its swagger does not. The
// later-only fields are computed from the vendored swaggers, not from the code under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API_VERSIONS } from '../../api/versions/extension-api-versions.js'
import type { RequestSchema } from '../../api/versions/extension-request-schemas.js'
import { call, extensionPath, freshSubscription, POLL, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { beyondSwagger } from './support/beyond-swagger.js'
import { extensionsSwaggerFile, operationResponse, undeclaredProperties, writableShape, type Json } from './support/upstream-spec.js'

const VERSIONS = Object.keys(EXTENSION_API_VERSIONS).sort()
const swagger = (version: string) => extensionsSwaggerFile(version)
const patchDefinition = (version: string) => (writableShapeOrNull(swagger(version), 'PatchExtension') ? 'PatchExtension' : 'patchExtension')

function writableShapeOrNull(file: string, definition: string): string[] | null {
  try {
    return writableShape(file, definition)
  } catch {
    return null
  }
}

/** The same notation as writableShape, for a request schema of the code. */
function schemaShape(schema: RequestSchema, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {})
    .flatMap(([name, child]) => [`${prefix}${name}${child.enum ? `=${[...child.enum].sort().join('|')}` : ''}`, ...schemaShape(child, `${prefix}${name}.`)])
    .sort()
}

type Shape = Map<string, string[] | null>
const parse = (entries: string[]): Shape => new Map(entries.map((e) => [e.split('=')[0]!, e.includes('=') ? e.split('=')[1]!.split('|') : null]))

interface LaterOnly {
  path: string
  /** The enum value a later version adds; undefined when the whole property is later. */
  value?: string
}

/** What later swaggers let a client write that this version's does not: whole properties (the outermost) and enum values. */
function laterOnly(version: string, definition: (v: string) => string): LaterOnly[] {
  const own = parse(writableShape(swagger(version), definition(version)))
  const found = new Map<string, LaterOnly>()
  for (const later of VERSIONS.filter((v) => v > version)) {
    for (const [path, values] of parse(writableShape(swagger(later), definition(later)))) {
      const parent = path.split('.').slice(0, -1).join('.')
      if (!own.has(path) && (parent === '' || own.has(parent))) found.set(path, { path })
      const mine = own.get(path)
      for (const value of mine && values ? values.filter((v) => !mine.includes(v)) : []) found.set(`${path}=${value}`, { path, value })
    }
  }
  return [...found.values()]
}

const USER_ASSIGNED = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1'
/** A value for each property a later version adds; a property missing here fails the test rather than being skipped. */
const EXAMPLE: Record<string, unknown> = {
  plan: { name: 'p', publisher: 'pub', product: 'prod' },
  managedBy: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Example/managers/m1',
  'properties.autoUpgradeMode': 'patch',
  'identity.userAssignedIdentities': { [USER_ASSIGNED]: {} },
  identity: { type: 'SystemAssigned' },
}

/** `body` with `path` set to `value` (intermediate objects made as needed). */
function withField(body: Json, path: string, value: unknown): Json {
  const copy = structuredClone(body)
  const keys = path.split('.')
  let at: Json = copy
  for (const key of keys.slice(0, -1)) at = at[key] ??= {}
  at[keys.at(-1)!] = value
  return copy
}

function exampleFor(item: LaterOnly): unknown {
  if (item.value !== undefined) return item.value
  if (!(item.path in EXAMPLE)) throw new Error(`no example value for ${item.path}: add one to EXAMPLE`)
  return EXAMPLE[item.path]
}

/** A PUT body using every writable field of the version's swagger, with the widest values it admits. */
function ownShapeBody(version: string): Json {
  const own = parse(writableShape(swagger(version), 'Extension'))
  const aksTypes = own.get('properties.aksAssignedIdentity.type') ?? []
  return {
    identity: { type: 'SystemAssigned' },
    ...(own.has('plan') ? { plan: EXAMPLE.plan } : {}),
    properties: {
      extensionType: 'microsoft.flux',
      ...(own.has('properties.autoUpgradeMode') ? { autoUpgradeMode: 'compatible' } : {}),
      autoUpgradeMinorVersion: true,
      releaseTrain: 'Stable',
      scope: { cluster: { releaseNamespace: 'flux-system' } },
      configurationSettings: { 'a.b': 'c' },
      configurationProtectedSettings: { secret: 'hidden-value' },
      aksAssignedIdentity: { type: [...aksTypes].sort().at(-1) },
    },
  }
}

describe('each api-version declares its own swagger shape', () => {
  it.each(VERSIONS)('%s: the PUT and PATCH request schemas are the writable part of its swagger', (version) => {
    const served = EXTENSION_API_VERSIONS[version]!
    expect(schemaShape(served.putSchema)).toEqual(writableShape(swagger(version), 'Extension'))
    expect(schemaShape(served.patchSchema)).toEqual(writableShape(swagger(version), patchDefinition(version)))
  })

  it('has later-only fields for every version but the newest, so the refusals below are tested', () => {
    for (const version of VERSIONS.slice(0, -1)) expect(laterOnly(version, () => 'Extension').length, version).toBeGreaterThan(0)
    expect(laterOnly(VERSIONS.at(-1)!, () => 'Extension')).toEqual([])
  })
})

describe('each api-version accepts exactly its own shape', () => {
  let h: Harness
  const sub = freshSubscription()
  const at = (version: string) => `${extensionPath(sub, 'flux', `shape-${version}`)}?api-version=${version}`

  beforeAll(async () => {
    h = await startHarness()
    for (const version of VERSIONS) await registerCluster(h, sub, `shape-${version}`)
  })
  afterAll(() => h?.close())

  it.each(VERSIONS)('%s', async (version) => {
    const body = ownShapeBody(version)
    for (const item of laterOnly(version, () => 'Extension')) {
      const refused = await call<{ error: { code: string; target: string } }>(h, 'PUT', at(version), withField(body, item.path, exampleFor(item)))
      expect(refused.status, `${item.path}${item.value ? `=${item.value}` : ''}`).toBe(400)
      expect(refused.body.error).toMatchObject({ code: 'InvalidRequestContent', target: item.path })
    }
    expect((await call(h, 'GET', at(version))).status).toBe(404)

    const created = await call<Json>(h, 'PUT', at(version), body)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    await expect.poll(() => provisioningState(h, at(version)), POLL).toBe('Succeeded')
    const got = await call<Json>(h, 'GET', at(version))
    expect(got.status).toBe(200)
    const { configurationProtectedSettings: _secret, ...writable } = body.properties as Json
    expect(got.body.properties).toMatchObject(writable)
    expect(got.body.identity).toMatchObject({ type: 'SystemAssigned' })
    if (body.plan) expect(got.body.plan).toEqual(body.plan)
    expect(JSON.stringify(got.body)).not.toContain('hidden-value')
    expect(undeclaredProperties(got.body, operationResponse(swagger(version), 'Extensions_Get'), beyondSwagger(version))).toEqual([])

    for (const item of laterOnly(version, patchDefinition)) {
      const refused = await call<{ error: { code: string; target: string } }>(h, 'PATCH', at(version), withField({ properties: {} }, item.path, exampleFor(item)))
      expect(refused.status, `PATCH ${item.path}`).toBe(400)
      expect(refused.body.error).toMatchObject({ code: 'InvalidRequestContent', target: item.path })
    }
    // Names of Object.prototype members are no schema's properties.
    for (const [patch, target] of [
      [{ properties: { constructor: 'x' } }, 'properties.constructor'],
      [{ toString: 'x', properties: {} }, 'toString'],
    ] as const) {
      const refused = await call<{ error: { target: string } }>(h, 'PATCH', at(version), patch)
      expect(refused.status, target).toBe(400)
      expect(refused.body.error.target).toBe(target)
    }
    const patched = await call<Json>(h, 'PATCH', at(version), { properties: { configurationSettings: { 'a.b': 'd' } } })
    expect(patched.status).toBe(202)
    expect(patched.body.properties).toMatchObject({ configurationSettings: { 'a.b': 'd' } })
  })
})
