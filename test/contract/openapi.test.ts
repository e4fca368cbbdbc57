// The served OpenAPI document is the committed one, byte for byte once the listener's scheme and host are taken out,
// and its extensions API matches the upstream swagger (paths, methods, operationIds, parameters, status codes,
// definitions).
import { readFileSync } from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const SPEC_ROOT = path.join(repoRoot, 'openapi', 'upstream', 'azure-rest-api-specs', 'specification')
const STABLE = path.join(SPEC_ROOT, 'kubernetesconfiguration', 'resource-manager', 'Microsoft.KubernetesConfiguration', 'stable', '2023-05-01')
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8'))

let h: Harness
let served: string
let doc: Json

beforeAll(async () => {
  h = await startHarness({ worker: false })
  served = await (await fetch(`${h.baseUrl}/openapi.json`)).text()
  doc = JSON.parse(served)
})
afterAll(() => h?.close())

/** The served document without what names the listener, in the committed file's layout. */
function listenerNeutral(document: Json): string {
  const { host: _host, schemes: _schemes, ...rest } = document
  return JSON.stringify(rest, null, 2) + '\n'
}

function getOverHttps(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => resolve(text))
      })
      .on('error', reject)
  })
}

/** `{anyName}` → `{}` so paths compare by shape. */
const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}').toLowerCase()

function resolveRef(file: string, ref: string): [string, Json] {
  const [relative, pointer] = ref.split('#')
  const target = relative ? path.resolve(path.dirname(file), relative) : file
  let node: Json = readJson(target)
  for (const part of (pointer ?? '').split('/').filter(Boolean)) node = node[part]
  return [target, node]
}

function upstreamParameters(file: string, operation: Json): string[] {
  return (operation.parameters as Json[]).map((p) => (p.$ref ? resolveRef(file, p.$ref)[1].name : p.name)).sort()
}

/** Property names of a definition, following allOf into the ARM common types. */
function propertyNames(file: string, definition: Json): string[] {
  const names = new Set<string>(Object.keys(definition.properties ?? {}))
  for (const part of (definition.allOf ?? []) as Json[]) {
    const [target, resolved] = part.$ref ? resolveRef(file, part.$ref) : [file, part]
    for (const n of propertyNames(target, resolved)) names.add(n)
  }
  return [...names].sort()
}

describe('OpenAPI document', () => {
  it('is served byte-identical to the committed openapi/arcext.json but for scheme and host (run `npm run openapi` after changing routes)', () => {
    const committed = readFileSync(path.join(repoRoot, 'openapi', 'arcext.json'), 'utf8')
    expect(listenerNeutral(doc)).toBe(committed)
    expect(JSON.parse(committed)).not.toHaveProperty('host')
    expect(JSON.parse(committed)).not.toHaveProperty('schemes')
  })

  it('names the scheme and host of the listener that served it, on /openapi.json and to Swagger UI', async () => {
    const http = new URL(h.api.httpUrl)
    expect(doc).toMatchObject({ host: http.host, schemes: ['http'] })
    const secure = new URL(h.api.httpsUrl)
    const ca = readFileSync(h.api.certFile)
    expect(JSON.parse(await getOverHttps(`${h.api.httpsUrl}/openapi.json`, ca))).toMatchObject({ host: secure.host, schemes: ['https'] })
    expect(JSON.parse(await getOverHttps(`${h.api.httpsUrl}/docs/json`, ca))).toMatchObject({ host: secure.host, schemes: ['https'] })
    expect(await (await fetch(`${h.baseUrl}/docs/json`)).json()).toMatchObject({ host: http.host, schemes: ['http'] })
  })

  it('has a definition for every $ref it uses and a described response for every operation', () => {
    const refs = [...served.matchAll(/"\$ref": "#\/definitions\/([^"]+)"/g)].map((m) => m[1]!)
    for (const ref of refs) expect(doc.definitions, ref).toHaveProperty(ref)
    for (const item of Object.values(doc.paths as Json))
      for (const op of Object.values(item as Json)) for (const r of Object.values((op as Json).responses)) expect((r as Json).description).toEqual(expect.any(String))
  })

  const upstreamFiles = [path.join(STABLE, 'extensions.json'), path.join(STABLE, 'operations.json')]
  const upstreamOps = upstreamFiles.flatMap((file) =>
    Object.entries(readJson(file).paths as Json).flatMap(([p, item]) => Object.entries(item as Json).map(([method, op]) => ({ file, path: p, method, op: op as Json }))),
  )

  it.each(upstreamOps.map((o) => [o.op.operationId as string, o]))('implements upstream %s with the same path, parameters and status codes', (_id, upstream) => {
    const ours = Object.entries(doc.paths as Json).find(([p]) => shape(p) === shape(upstream.path))
    expect(ours, `path ${upstream.path}`).toBeDefined()
    const operation = (ours![1] as Json)[upstream.method]
    expect(operation, `${upstream.method} ${upstream.path}`).toBeDefined()
    expect(operation.operationId).toBe(upstream.op.operationId)
    // Every upstream parameter, plus only optional extras (list paging: $top, $skipToken).
    const upstreamNames = upstreamParameters(upstream.file, upstream.op)
    const extras = (operation.parameters as Json[]).filter((p) => !upstreamNames.includes(p.name))
    expect((operation.parameters as Json[]).map((p) => p.name)).toEqual(expect.arrayContaining(upstreamNames))
    for (const extra of extras) expect(extra.required, extra.name).not.toBe(true)
    expect(Object.keys(operation.responses).sort()).toEqual(Object.keys(upstream.op.responses).sort())
    expect(Boolean(operation['x-ms-long-running-operation'])).toBe(Boolean(upstream.op['x-ms-long-running-operation']))
    if (upstream.op['x-ms-pageable']) expect(operation['x-ms-pageable']).toEqual({ nextLinkName: 'nextLink' })
  })

  // One document describes every served version: 2023-05-01's properties plus those 2025-03-01 adds (each described
  // as 2025-03-01 only), and extensionState, which only a 2025-03-01 example shows (docs/arm-rules.md rule 59).
  it('describes Extension, PatchExtension and OperationStatusResult with the upstream properties', () => {
    const extensionsFile = path.join(STABLE, 'extensions.json')
    const upstream = readJson(extensionsFile).definitions
    const latestFile = path.join(SPEC_ROOT, 'kubernetesconfiguration', 'resource-manager', 'Microsoft.KubernetesConfiguration', 'extensions', 'stable', '2025-03-01', 'extensions.json')
    const latest = readJson(latestFile).definitions
    const union = (...lists: string[][]) => [...new Set(lists.flat())].sort()
    expect(union(propertyNames(extensionsFile, upstream.Extension), propertyNames(latestFile, latest.Extension))).toEqual(Object.keys(doc.definitions.Extension.properties).sort())
    expect(union(Object.keys(upstream.Extension.properties.properties.properties), Object.keys(latest.Extension.properties.properties.properties), ['extensionState'])).toEqual(
      Object.keys(doc.definitions.Extension.properties.properties.properties).sort(),
    )
    expect(union(Object.keys(upstream.patchExtension.properties.properties.properties), Object.keys(latest.patchExtension.properties.properties.properties))).toEqual(
      Object.keys(doc.definitions.patchExtension.properties.properties.properties).sort(),
    )
    expect(doc.definitions.Extension.properties.properties.properties.configurationProtectedSettings['x-ms-secret']).toBe(true)
    const [, status] = resolveRef(extensionsFile, '../../common/2022-03-01/definitions.json#/definitions/OperationStatusResult')
    expect(Object.keys(doc.definitions.OperationStatusResult.properties)).toEqual(expect.arrayContaining(Object.keys(status.properties)))
  })
})
