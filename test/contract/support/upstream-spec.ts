// Read access to the vendored upstream swagger pack (openapi/upstream, its README lists every file): which x-ms-examples exist
// for which operation at which stable api-version, and which properties each response schema declares.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from '../../../core/paths.js'

export type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** The pack lives next to the repository (as for test/contract/openapi.test.ts); ARCEXT_SPEC_ROOT overrides. */
const SPEC_ROOT = process.env.ARCEXT_SPEC_ROOT ?? path.join(repoRoot, 'openapi', 'upstream', 'azure-rest-api-specs', 'specification')
const PROVIDER_DIR = path.join(SPEC_ROOT, 'kubernetesconfiguration', 'resource-manager', 'Microsoft.KubernetesConfiguration')
/** Upstream keeps the versions up to 2023-05-01 in `stable/`, and the later ones in the split layout `extensions/stable/`. */
const STABLE_DIRS = [path.join(PROVIDER_DIR, 'stable'), path.join(PROVIDER_DIR, 'extensions', 'stable')]

const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8'))

export interface UpstreamExample {
  apiVersion: string
  /** File name without .json, e.g. CreateExtension. */
  name: string
  file: string
  operationId: string
  /** The swagger (extensions.json or operations.json) that declares the operation. */
  swaggerFile: string
  method: string
  parameters: Json
  responses: Record<string, { headers?: Record<string, string>; body?: unknown }>
}

/** Folder of every stable api-version, by api-version, over both layouts. */
function stableVersionDirs(): [apiVersion: string, dir: string][] {
  return STABLE_DIRS.filter((root) => existsSync(root))
    .flatMap((root) => readdirSync(root).map((d): [string, string] => [d, path.join(root, d)]))
    .filter(([d]) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .sort(([a], [b]) => a.localeCompare(b))
}

interface OperationRef {
  operationId: string
  swaggerFile: string
  method: string
}

/** example file (absolute) → the operation whose x-ms-examples names it, over every swagger of one api-version. */
function exampleOperations(dir: string): Map<string, OperationRef> {
  const byExample = new Map<string, OperationRef>()
  for (const swaggerName of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const swaggerFile = path.join(dir, swaggerName)
    const swagger = readJson(swaggerFile)
    for (const item of Object.values((swagger.paths ?? {}) as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        for (const example of Object.values(((operation as Json)['x-ms-examples'] ?? {}) as Json)) {
          const target = path.resolve(dir, (example as Json).$ref as string)
          byExample.set(target, { operationId: (operation as Json).operationId, swaggerFile, method: method.toUpperCase() })
        }
      }
    }
  }
  return byExample
}

/** The operation with this operationId in the swaggers of one api-version. */
function operationNamed(dir: string, operationId: string): OperationRef | undefined {
  for (const swaggerName of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const swaggerFile = path.join(dir, swaggerName)
    for (const item of Object.values((readJson(swaggerFile).paths ?? {}) as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        if ((operation as Json).operationId === operationId) return { operationId, swaggerFile, method: method.toUpperCase() }
      }
    }
  }
  return undefined
}

/**
 * Every example file stored for every stable api-version, with the operation it documents. An example no
 * swagger refers to is returned with operationId '' so the caller can fail on it rather than skip it silently,
 * unless `adopted` (`{apiVersion}/{name}` → operationId) names the operation the caller has established it documents.
 */
export function upstreamExamples(adopted: Readonly<Record<string, string>> = {}): UpstreamExample[] {
  const examples: UpstreamExample[] = []
  for (const [apiVersion, versionDir] of stableVersionDirs()) {
    const dir = path.join(versionDir, 'examples')
    if (!existsSync(dir)) continue
    const operations = exampleOperations(versionDir)
    for (const fileName of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const file = path.join(dir, fileName)
      const adoptedBy = adopted[`${apiVersion}/${fileName.replace(/\.json$/, '')}`]
      const ref = operations.get(file) ?? (adoptedBy ? operationNamed(versionDir, adoptedBy) : undefined)
      const raw = readJson(file)
      examples.push({
        apiVersion,
        name: fileName.replace(/\.json$/, ''),
        file,
        operationId: ref?.operationId ?? '',
        swaggerFile: ref?.swaggerFile ?? '',
        method: ref?.method ?? '',
        parameters: raw.parameters,
        responses: raw.responses,
      })
    }
  }
  return examples
}

// ---- response schemas: which property names a response may carry ----

interface SchemaAt {
  file: string
  node: Json
}

/**
 * The file a relative $ref names. Upstream's split-layout extensionTypes swaggers reach common-types from the wrong
 * depth (openapi/upstream/README.md); such a ref is read from the one common-types folder under the spec root.
 */
function refFile(from: string, relative: string): string {
  const file = path.resolve(path.dirname(from), relative)
  const commonTypes = relative.indexOf('common-types/')
  return existsSync(file) || commonTypes < 0 ? file : path.join(SPEC_ROOT, relative.slice(commonTypes))
}

function resolve(at: SchemaAt): SchemaAt {
  let current = at
  for (let hops = 0; current.node.$ref && hops < 20; hops++) {
    const [relative, pointer] = (current.node.$ref as string).split('#')
    const file = relative ? refFile(current.file, relative) : current.file
    let node: Json = readJson(file)
    for (const part of (pointer ?? '').split('/').filter(Boolean)) node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')]
    current = { file, node }
  }
  return current
}

/** Declared properties of an object schema, following allOf (ProxyResource, Resource, ...). */
function declaredProperties(at: SchemaAt): Map<string, SchemaAt> {
  const resolved = resolve(at)
  const props = new Map<string, SchemaAt>()
  for (const part of (resolved.node.allOf ?? []) as Json[]) {
    for (const [k, v] of declaredProperties({ file: resolved.file, node: part })) props.set(k, v)
  }
  for (const [k, v] of Object.entries((resolved.node.properties ?? {}) as Json)) props.set(k, { file: resolved.file, node: v as Json })
  return props
}

export function responseSchema(example: UpstreamExample, status: string): SchemaAt | null {
  const swagger = readJson(example.swaggerFile)
  for (const item of Object.values(swagger.paths as Json)) {
    const operation = (item as Json)[example.method.toLowerCase()]
    if (operation?.operationId === example.operationId) {
      const schema = operation.responses?.[status]?.schema
      return schema ? { file: example.swaggerFile, node: schema } : null
    }
  }
  throw new Error(`${example.operationId} not found in ${example.swaggerFile}`)
}

/**
 * JSON paths of properties in `value` that the schema does not declare. `tolerated` lists JSON paths (with `[]`
 * for any array index) an RP may add beyond the swagger; `{path}.*` says the object at `path` is a map whose values
 * each have the shape the swagger gives the object itself (a swagger that forgot `additionalProperties`).
 */
export function undeclaredProperties(value: unknown, at: SchemaAt, tolerated: readonly string[] = [], where = '$'): string[] {
  if (value === null || typeof value !== 'object') return []
  const schema = resolve(at)
  if (Array.isArray(value)) {
    const items = schema.node.items as Json | undefined
    return items ? value.flatMap((v) => undeclaredProperties(v, { file: schema.file, node: items }, tolerated, `${where}[]`)) : []
  }
  const props = declaredProperties(schema)
  const additional = schema.node.additionalProperties as Json | boolean | undefined
  const problems: string[] = []
  for (const [key, child] of Object.entries(value as Json)) {
    const path = `${where}.${key}`
    const declared = props.get(key)
    if (declared) problems.push(...undeclaredProperties(child, declared, tolerated, path))
    else if (tolerated.includes(`${where}.*`)) problems.push(...undeclaredProperties(child, schema, tolerated, path))
    else if (typeof additional === 'object') problems.push(...undeclaredProperties(child, { file: schema.file, node: additional }, tolerated, path))
    // A schema with no declared properties at all is free-form (e.g. "type": "object").
    else if (additional !== true && props.size > 0 && !tolerated.includes(path)) problems.push(path)
  }
  return problems
}

// ---- whole swaggers: the extensionTypes preview versions, which the examples replay does not cover ----

/** A vendored swagger under the provider folder, e.g. `extensionTypes/preview/2022-01-15-preview/extensionTypes.json`. */
export function providerSwagger(relative: string): string {
  return path.join(PROVIDER_DIR, relative)
}

export interface SwaggerOperation {
  operationId: string
  /** The path template, e.g. `/subscriptions/{subscriptionId}/...`. */
  path: string
  response: SchemaAt
}

/** Every GET of a swagger with its 200 response schema. */
export function swaggerGets(swaggerFile: string): SwaggerOperation[] {
  const swagger = readJson(swaggerFile)
  return Object.entries(swagger.paths as Json).flatMap(([template, item]) => {
    const get = (item as Json).get as Json | undefined
    return get ? [{ operationId: get.operationId as string, path: template, response: { file: swaggerFile, node: get.responses['200'].schema as Json } }] : []
  })
}

/** The schema with every $ref inlined and swagger's annotations (x-ms-*, format) dropped, for ajv. */
export function inlinedSchema(at: SchemaAt, depth = 0): Json {
  if (depth > 40) throw new Error(`schema in ${at.file} nests deeper than 40 levels`)
  const { file, node } = resolve(at)
  const child = (value: unknown) => inlinedSchema({ file, node: value as Json }, depth + 1)
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || key === 'format' || key === '$ref') continue
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, child(schema)]))
    else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) out[key] = child(value)
    else if (key === 'allOf') out[key] = (value as unknown[]).map(child)
    else out[key] = value
  }
  return out
}

// ---- request shapes: what a version's swagger lets a client write ----

/** The extensions swagger of one stable api-version, in either layout. */
export function extensionsSwaggerFile(apiVersion: string): string {
  const found = stableVersionDirs().find(([version]) => version === apiVersion)
  if (!found) throw new Error(`no vendored swagger for extensions ${apiVersion}`)
  return path.join(found[1], 'extensions.json')
}

/** The 200 response schema of an operation of a swagger. */
export function operationResponse(swaggerFile: string, operationId: string, status = '200'): SchemaAt {
  for (const item of Object.values(readJson(swaggerFile).paths as Json)) {
    for (const operation of Object.values(item as Json)) {
      if ((operation as Json).operationId === operationId) return { file: swaggerFile, node: (operation as Json).responses[status].schema as Json }
    }
  }
  throw new Error(`${operationId} not found in ${swaggerFile}`)
}

/**
 * The writable properties of a swagger definition, as JSON paths (`properties.scope.cluster.releaseNamespace`), each
 * with its enum where it has one (`identity.type=SystemAssigned|UserAssigned`); read-only ones are left out. Maps
 * (additionalProperties) and arrays are leaves.
 */
export function writableShape(swaggerFile: string, definition: string): string[] {
  const walk = (at: SchemaAt, prefix: string, depth: number): string[] =>
    depth > 4
      ? []
      : [...declaredProperties(at)].flatMap(([name, child]) => {
          const resolved = resolve(child)
          if (child.node.readOnly || resolved.node.readOnly) return []
          const enumValues = resolved.node.enum as string[] | undefined
          const here = `${prefix}${name}${enumValues ? `=${[...enumValues].sort().join('|')}` : ''}`
          return [here, ...walk(resolved, `${prefix}${name}.`, depth + 1)]
        })
  const swagger = readJson(swaggerFile)
  const node = swagger.definitions[definition] as Json | undefined
  if (!node) throw new Error(`${definition} not defined in ${swaggerFile}`)
  return walk({ file: swaggerFile, node }, '', 0).sort()
}
