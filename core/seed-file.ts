// SEED_FILE: the clusters (with their drivers), extensions and fault rules an emulator starts with, as YAML or JSON.
// Read and checked here, before anything connects, so a mistake is one startup line naming the variable, where in
// the file it is and what is wrong; applying it is the api's job (api/seed/). Kubeconfigs and protected settings are
// never quoted in a message.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { ErrorObject } from 'ajv'
import { parse as parseYaml } from 'yaml'
import { defaultCatalog } from './catalog/index.js'
import { ConfigError } from './config.js'
import { allowedKeys, isSummaryError, pointerSegments, schemaAjv } from './json-schema.js'
import { FAULT_ID_RULE, isFaultId, readFaultRule, type FaultRuleSpec } from './simulator/fault-rule.js'
import { CLUSTER_DRIVERS, type ClusterDriverName } from './store/cluster-driver.js'
import { parseClusterResourceId, type ClusterResourceId } from './store/cluster-resource-id.js'

export interface SeedExtension {
  extensionType: string
  version?: string | null
  releaseTrain?: string
  autoUpgradeMinorVersion?: boolean
  scope?: { cluster: { releaseNamespace?: string } } | { namespace: { targetNamespace?: string } }
  configurationSettings?: Record<string, string>
  configurationProtectedSettings?: Record<string, string>
}

export interface SeedCluster {
  id: ClusterResourceId
  /** Where in the file it is, for messages: `clusters[0]`. */
  at: string
  location: string
  tags: Record<string, string>
  properties: Record<string, unknown>
  /** Absent: the cluster's driver is left as it is (a new cluster gets `simulated`). */
  driver?: { name: ClusterDriverName; kubeconfig?: string }
  extensions: { name: string; at: string; spec: SeedExtension }[]
}

export interface SeedFault {
  id: string
  at: string
  /** The rule as written: what the admin API's PUT takes. */
  body: Record<string, unknown>
  rule: FaultRuleSpec
}

export interface Seed {
  file: string
  clusters: SeedCluster[]
  faults: SeedFault[]
}

interface SeedDocument {
  clusters?: {
    id: string
    location: string
    tags?: Record<string, string>
    properties?: Record<string, unknown>
    driver?: ClusterDriverName
    kubeconfig?: string
    kubeconfigFile?: string
    extensions?: Record<string, SeedExtension>
  }[]
  faults?: Record<string, Record<string, unknown>>
}

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const

const extensionSchema = {
  type: 'object',
  required: ['extensionType'],
  additionalProperties: false,
  properties: {
    extensionType: { type: 'string', minLength: 1 },
    version: { type: ['string', 'null'], minLength: 1 },
    releaseTrain: { type: 'string', minLength: 1 },
    autoUpgradeMinorVersion: { type: 'boolean' },
    scope: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      properties: {
        cluster: { type: 'object', additionalProperties: false, properties: { releaseNamespace: { type: 'string', minLength: 1 } } },
        namespace: { type: 'object', additionalProperties: false, properties: { targetNamespace: { type: 'string', minLength: 1 } } },
      },
    },
    configurationSettings: stringMap,
    configurationProtectedSettings: stringMap,
  },
} as const

/** The seed file's structure; what depends on other data (cluster ids, the catalog, files) is checked in readSeed. */
export const seedSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    clusters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'location'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1 },
          location: { type: 'string', minLength: 1 },
          tags: stringMap,
          properties: { type: 'object' },
          driver: { enum: [...CLUSTER_DRIVERS] },
          kubeconfig: { type: 'string', minLength: 1 },
          kubeconfigFile: { type: 'string', minLength: 1 },
          extensions: { type: 'object', additionalProperties: extensionSchema },
        },
      },
    },
    // Each rule's fields are checked by readFaultRule, worded as the admin API and SIMULATED_FAULTS word them.
    faults: { type: 'object', additionalProperties: { type: 'object' } },
  },
} as const

const validateSeed = schemaAjv.compile<SeedDocument>(seedSchema)

/** A JSON Pointer as a path a reader finds in the file: `/clusters/0/extensions/flux` → `clusters[0].extensions.flux`. */
function readablePath(segments: readonly string[]): string {
  return segments.map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('') || '(top level)'
}

function schemaProblem(error: ErrorObject): string {
  const segments = pointerSegments(error.instancePath)
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty)
    return `${readablePath([...segments, key])}: unknown property; allowed: ${allowedKeys(error.parentSchema).join(', ')}`
  }
  if (error.keyword === 'required') return `${readablePath([...segments, String(error.params.missingProperty)])}: is required`
  if (error.keyword === 'enum') return `${readablePath(segments)}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
  return `${readablePath(segments)}: ${error.message ?? 'is invalid'}`
}

function fail(file: string, problem: string): never {
  throw new ConfigError(`SEED_FILE=${file}: ${problem}`)
}

function parseDocument(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    fail(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set SEED_FILE to a YAML or JSON seed file (README, Seeding)`)
  }
  try {
    // YAML 1.2 is a superset of JSON: one parser reads both.
    return parseYaml(text, { uniqueKeys: true }) as unknown
  } catch (error) {
    const first = (error as Error).message.split('\n')[0]
    fail(file, `is neither YAML nor JSON (${first})`)
  }
}

function kubeconfigOf(file: string, at: string, cluster: NonNullable<SeedDocument['clusters']>[number]): string | undefined {
  if (cluster.kubeconfig !== undefined && cluster.kubeconfigFile !== undefined) fail(file, `${at}: set kubeconfig or kubeconfigFile, not both`)
  if (cluster.kubeconfigFile === undefined) return cluster.kubeconfig
  const kubeconfigPath = path.resolve(path.dirname(file), cluster.kubeconfigFile)
  try {
    return readFileSync(kubeconfigPath, 'utf8')
  } catch (error) {
    fail(file, `${at}.kubeconfigFile: ${kubeconfigPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`)
  }
}

/** Reads and checks SEED_FILE; throws a one-line ConfigError naming the first problem. */
export function readSeed(file: string): Seed {
  const document = parseDocument(file) ?? {}
  if (!validateSeed(document)) {
    const errors = (validateSeed.errors ?? []).filter((error) => !isSummaryError(error))
    fail(file, schemaProblem(errors[0] ?? validateSeed.errors![0]!))
  }
  const seen = new Map<string, string>()
  const clusters = (document.clusters ?? []).map((cluster, index): SeedCluster => {
    const at = `clusters[${index}]`
    const id = parseClusterResourceId(cluster.id)
    if ('problem' in id) fail(file, `${at}.id: ${id.problem}`)
    const earlier = seen.get(id.idKey)
    if (earlier) fail(file, `${at}.id: the cluster is already declared at ${earlier}`)
    seen.set(id.idKey, at)
    const kubeconfig = kubeconfigOf(file, at, cluster)
    if (kubeconfig !== undefined && cluster.driver === undefined) fail(file, `${at}: a kubeconfig needs a driver that uses it (driver: helm)`)
    return {
      id,
      at,
      location: cluster.location,
      tags: cluster.tags ?? {},
      properties: cluster.properties ?? {},
      ...(cluster.driver ? { driver: { name: cluster.driver, ...(kubeconfig !== undefined ? { kubeconfig } : {}) } } : {}),
      extensions: Object.entries(cluster.extensions ?? {}).map(([name, spec]) => ({ name, at: `${at}.extensions.${name}`, spec })),
    }
  })
  const faults = Object.entries(document.faults ?? {}).map(([id, body]): SeedFault => {
    const at = `faults.${id}`
    if (!isFaultId(id)) fail(file, `${at}: fault ids are ${FAULT_ID_RULE}`)
    const read = readFaultRule(body, { path: at, isKnownExtensionType: (type) => defaultCatalog().findType(type) !== undefined })
    if (!read.ok) {
      const [first] = read.problems
      // Most problems name their field already ("The value of 'faults.f1.kind' ..."); the others get it in front.
      fail(file, first!.message.includes(`'${first!.target}'`) ? first!.message : `${first!.target}: ${first!.message}`)
    }
    return { id, at, body, rule: read.rule }
  })
  return { file, clusters, faults }
}
