// The shape of the extension-type catalog and its runtime validator. The catalog is operator-editable
// data (extension-types.json or CATALOG_FILE), so it is checked as untrusted input: every problem is
// collected and reported at once, so an operator can fix a file in one pass.
import { CLUSTER_TYPES, EXTENSION_SCOPES, type CatalogData, type DistributionSpec, type ExtensionTypeSpec, type ReleaseTrainSpec, type SupportPolicy, type VersionSpec } from './catalog-types.js'
import { Catalog } from './lookup.js'
import { compareSemver, parseSemver } from './semver.js'

export class CatalogValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid extension-type catalog (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`)
  }
}

/** Validates untrusted catalog JSON and returns an immutable Catalog; throws CatalogValidationError listing every problem. */
export function validateCatalog(raw: unknown): Catalog {
  const problems: string[] = []
  const data = readCatalog(raw, problems)
  // Cross-references (conflicts, distribution ids, duplicates) are checked once the structure is sound;
  // judged against half-read entries they would report problems that are not there.
  if (data) checkCrossReferences(data, problems)
  if (problems.length > 0 || !data) throw new CatalogValidationError(problems)
  return new Catalog(deepFreeze(data))
}

// ---- structural reading: each reader reports into `problems` and returns undefined when unusable ----

type Problems = string[]
type Fields = Record<string, unknown>

const LOWER_NAME = /^[a-z0-9][a-z0-9_.-]*$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const KUBERNETES_MIN_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?$/
const RELEASE_DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `"${value}"` : `${typeof value} ${JSON.stringify(value)}`
}

function readObject(value: unknown, path: string, required: readonly string[], optional: readonly string[], problems: Problems): Fields | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected an object, got ${describe(value)}`)
    return undefined
  }
  const fields = value as Fields
  const allowed = [...required, ...optional]
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) problems.push(`${path}: unknown key "${key}" (allowed: ${allowed.join(', ')})`)
  }
  for (const key of required) {
    if (!(key in fields)) problems.push(`${path}: missing required key "${key}"`)
  }
  return fields
}

function readString(value: unknown, path: string, problems: Problems, pattern?: RegExp, patternHint?: string): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${path}: expected a non-empty string, got ${describe(value)}`)
    return undefined
  }
  if (pattern && !pattern.test(value)) {
    problems.push(`${path}: ${describe(value)} is not ${patternHint ?? `matching ${pattern}`}`)
    return undefined
  }
  return value
}

function readNullableString(value: unknown, path: string, problems: Problems, pattern?: RegExp, patternHint?: string): string | null | undefined {
  return value === null ? null : readString(value, path, problems, pattern, patternHint)
}

function readBoolean(value: unknown, path: string, problems: Problems): boolean | undefined {
  if (typeof value === 'boolean') return value
  problems.push(`${path}: expected true or false, got ${describe(value)}`)
  return undefined
}

function readArray<T>(value: unknown, path: string, problems: Problems, readItem: (item: unknown, itemPath: string) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) {
    problems.push(`${path}: expected an array, got ${describe(value)}`)
    return undefined
  }
  const items = value.map((item, i) => readItem(item, `${path}[${i}]`))
  return items.every((item) => item !== undefined) ? items : undefined
}

function readEnum<T extends string>(value: unknown, path: string, allowed: readonly T[], problems: Problems): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  problems.push(`${path}: ${describe(value)} is not one of ${allowed.join(', ')}`)
  return undefined
}

function reportDuplicates(values: readonly string[], path: string, what: string, problems: Problems, key = (v: string) => v.toLowerCase()): void {
  const seen = new Set<string>()
  for (const value of values) {
    if (seen.has(key(value))) problems.push(`${path}: duplicate ${what} "${value}"`)
    seen.add(key(value))
  }
}

function readReleaseDate(value: unknown, path: string, problems: Problems): string | null | undefined {
  const text = readNullableString(value, path, problems, RELEASE_DATE, 'a date as YYYY-MM-DD or YYYY-MM')
  if (typeof text !== 'string') return text
  const [, year, month, day] = RELEASE_DATE.exec(text) as RegExpExecArray
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day ?? '1')))
  if (date.getUTCMonth() !== Number(month) - 1 || (day !== undefined && date.getUTCDate() !== Number(day))) {
    problems.push(`${path}: "${text}" is not a real calendar date`)
    return undefined
  }
  return text
}

function readStringRecord(value: unknown, path: string, problems: Problems): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected an object of name → version strings, got ${describe(value)}`)
    return undefined
  }
  const entries = Object.entries(value as Fields).map(([name, text]) => [name, readString(text, `${path}.${name}`, problems)] as const)
  return entries.every(([, text]) => text !== undefined) ? (Object.fromEntries(entries) as Record<string, string>) : undefined
}

function readVersion(value: unknown, path: string, problems: Problems): VersionSpec | undefined {
  const f = readObject(value, path, ['version', 'releasedOn', 'notes'], ['components', 'breakingChanges'], problems)
  if (!f) return undefined
  let version: string | undefined
  if (typeof f.version === 'string' && !parseSemver(f.version)) {
    problems.push(`${path}.version: "${f.version}" is not strict SemVer 2.0.0 (MAJOR.MINOR.PATCH, no leading zeros, no "v" prefix)`)
  } else {
    version = readString(f.version, `${path}.version`, problems)
  }
  const releasedOn = readReleaseDate(f.releasedOn, `${path}.releasedOn`, problems)
  const notes = readArray(f.notes, `${path}.notes`, problems, (n, p) => readString(n, p, problems))
  const components = f.components === undefined ? null : readStringRecord(f.components, `${path}.components`, problems)
  const breakingChanges = f.breakingChanges === undefined ? null : readArray(f.breakingChanges, `${path}.breakingChanges`, problems, (n, p) => readString(n, p, problems))
  if (version === undefined || releasedOn === undefined || notes === undefined || components === undefined || breakingChanges === undefined) return undefined
  return { version, releasedOn, notes, ...(components ? { components } : {}), ...(breakingChanges ? { breakingChanges } : {}) }
}

function readReleaseTrain(value: unknown, path: string, problems: Problems): ReleaseTrainSpec | undefined {
  const f = readObject(value, path, ['name', 'versions'], [], problems)
  if (!f) return undefined
  const name = readString(f.name, `${path}.name`, problems)
  const versions = readArray(f.versions, `${path}.versions`, problems, (v, p) => readVersion(v, p, problems))
  if (versions?.length === 0) problems.push(`${path}.versions: a release train needs at least one version`)
  if (versions) {
    // Equal precedence (e.g. 1.0.0+a and 1.0.0+b) would make "newest" ambiguous, so it counts as a duplicate.
    const canonical = versions.map((v) => v.version)
    for (let i = 0; i < canonical.length; i++) {
      if (canonical.slice(0, i).some((earlier) => compareSemver(earlier, canonical[i] as string) === 0)) {
        problems.push(`${path}.versions: duplicate version "${canonical[i]}"`)
      }
    }
  }
  if (name === undefined || versions === undefined) return undefined
  return { name, versions }
}

function readSupportPolicy(value: unknown, path: string, problems: Problems): SupportPolicy | undefined {
  const probe = typeof value === 'object' && value !== null ? (value as Fields).kind : undefined
  if (probe === 'all') return readObject(value, path, ['kind'], [], problems) ? { kind: 'all' } : undefined
  if (probe === 'latestMinus') {
    const f = readObject(value, path, ['kind', 'n'], [], problems)
    if (!f) return undefined
    if (typeof f.n === 'number' && Number.isInteger(f.n) && f.n >= 0) return { kind: 'latestMinus', n: f.n }
    problems.push(`${path}.n: expected a whole number ≥ 0, got ${describe(f.n)}`)
    return undefined
  }
  problems.push(`${path}: expected {"kind":"all"} or {"kind":"latestMinus","n":<number>}, got ${describe(value)}`)
  return undefined
}

function readSupportedDistributions(value: unknown, path: string, problems: Problems): 'any' | string[] | undefined {
  if (value === 'any') return 'any'
  if (typeof value === 'string') {
    problems.push(`${path}: ${describe(value)} must be "any" or a list of distribution ids`)
    return undefined
  }
  const ids = readArray(value, path, problems, (v, p) => readString(v, p, problems, LOWER_NAME, 'a lower-case distribution id'))
  if (ids?.length === 0) problems.push(`${path}: use "any" or list at least one distribution`)
  if (ids) reportDuplicates(ids, path, 'distribution', problems)
  return ids
}

const TYPE_REQUIRED_KEYS = [
  'type',
  'displayName',
  'publisher',
  'description',
  'supportedDistributions',
  'supportedClusterTypes',
  'scope',
  'preview',
  'minKubernetesVersion',
  'unsupportedArchitectures',
  'conflictsWith',
  'allowMultipleInstances',
  'defaultReleaseNamespace',
  'releaseTrains',
  'supportPolicy',
  'source',
] as const

function readExtensionType(value: unknown, path: string, problems: Problems): ExtensionTypeSpec | undefined {
  const f = readObject(value, path, TYPE_REQUIRED_KEYS, ['singletonName'], problems)
  if (!f) return undefined
  const at = (key: string) => `${path}.${key}`
  const spec = {
    type: readString(f.type, at('type'), problems, LOWER_NAME, 'a lower-case extension type name such as "microsoft.flux"'),
    displayName: readString(f.displayName, at('displayName'), problems),
    publisher: readString(f.publisher, at('publisher'), problems),
    description: readString(f.description, at('description'), problems),
    supportedDistributions: readSupportedDistributions(f.supportedDistributions, at('supportedDistributions'), problems),
    supportedClusterTypes: readArray(f.supportedClusterTypes, at('supportedClusterTypes'), problems, (v, p) => readEnum(v, p, CLUSTER_TYPES, problems)),
    scope: readEnum(f.scope, at('scope'), EXTENSION_SCOPES, problems),
    preview: readBoolean(f.preview, at('preview'), problems),
    minKubernetesVersion: readNullableString(f.minKubernetesVersion, at('minKubernetesVersion'), problems, KUBERNETES_MIN_VERSION, 'a Kubernetes version such as "1.27"'),
    unsupportedArchitectures: readArray(f.unsupportedArchitectures, at('unsupportedArchitectures'), problems, (v, p) =>
      readString(v, p, problems, LOWER_NAME, 'a lower-case architecture such as "arm64"'),
    ),
    conflictsWith: readArray(f.conflictsWith, at('conflictsWith'), problems, (v, p) => readString(v, p, problems, LOWER_NAME, 'a lower-case extension type name')),
    allowMultipleInstances: readBoolean(f.allowMultipleInstances, at('allowMultipleInstances'), problems),
    defaultReleaseNamespace: readNullableString(f.defaultReleaseNamespace, at('defaultReleaseNamespace'), problems, DNS_LABEL, 'a Kubernetes namespace name (RFC 1123 label)'),
    singletonName: f.singletonName === undefined ? null : readNullableString(f.singletonName, at('singletonName'), problems),
    releaseTrains: readArray(f.releaseTrains, at('releaseTrains'), problems, (v, p) => readReleaseTrain(v, p, problems)),
    supportPolicy: readSupportPolicy(f.supportPolicy, at('supportPolicy'), problems),
    source: readString(f.source, at('source'), problems),
  }
  if (spec.supportedClusterTypes?.length === 0) problems.push(`${at('supportedClusterTypes')}: list at least one cluster type`)
  if (spec.supportedClusterTypes) reportDuplicates(spec.supportedClusterTypes, at('supportedClusterTypes'), 'cluster type', problems)
  if (spec.releaseTrains?.length === 0) problems.push(`${at('releaseTrains')}: list at least one release train`)
  if (spec.releaseTrains)
    reportDuplicates(
      spec.releaseTrains.map((t) => t.name),
      at('releaseTrains'),
      'release train (names are case-insensitive)',
      problems,
    )
  if (spec.conflictsWith) reportDuplicates(spec.conflictsWith, at('conflictsWith'), 'conflicting type', problems)
  if (spec.scope === 'namespace' && typeof spec.defaultReleaseNamespace === 'string') {
    problems.push(`${at('defaultReleaseNamespace')}: must be null for a namespace-scoped type (the release goes to scope.namespace.targetNamespace)`)
  }
  const complete = Object.values(spec).every((v) => v !== undefined)
  return complete ? (spec as ExtensionTypeSpec) : undefined
}

function readDistribution(value: unknown, path: string, problems: Problems): DistributionSpec | undefined {
  const f = readObject(value, path, ['id', 'displayName', 'aliases'], ['impliedByClusterTypes'], problems)
  if (!f) return undefined
  const id = readString(f.id, `${path}.id`, problems, LOWER_NAME, 'a lower-case distribution id')
  const displayName = readString(f.displayName, `${path}.displayName`, problems)
  const aliases = readArray(f.aliases, `${path}.aliases`, problems, (v, p) => readString(v, p, problems, LOWER_NAME, 'a lower-case distribution alias'))
  const impliedByClusterTypes =
    f.impliedByClusterTypes === undefined ? [] : readArray(f.impliedByClusterTypes, `${path}.impliedByClusterTypes`, problems, (v, p) => readEnum(v, p, CLUSTER_TYPES, problems))
  if (id === undefined || displayName === undefined || aliases === undefined || impliedByClusterTypes === undefined) return undefined
  return { id, displayName, aliases, impliedByClusterTypes }
}

function readCatalog(raw: unknown, problems: Problems): CatalogData | undefined {
  // "$comment" lets operators annotate their copy; JSON has no comments.
  const f = readObject(raw, '(root)', ['distributions', 'types'], ['$comment'], problems)
  if (!f) return undefined
  if (f.$comment !== undefined && typeof f.$comment !== 'string') problems.push(`$comment: expected a string, got ${describe(f.$comment)}`)
  const distributions = readArray(f.distributions, 'distributions', problems, (v, p) => readDistribution(v, p, problems))
  const types = readArray(f.types, 'types', problems, (v, p) => readExtensionType(v, p, problems))
  if (distributions === undefined || types === undefined) return undefined
  return { distributions, types }
}

// ---- cross-references: only meaningful once every entry has been read successfully ----

function checkCrossReferences(data: CatalogData, problems: Problems): void {
  reportDuplicates(
    data.types.map((t) => t.type),
    'types',
    'extension type',
    problems,
  )

  const distributionNames = data.distributions.flatMap((d) => [d.id, ...d.aliases])
  reportDuplicates(distributionNames, 'distributions', 'distribution id or alias', problems)
  if (!data.distributions.some((d) => d.id === 'generic')) {
    problems.push('distributions: must define "generic", the distribution assumed for clusters that report none or an unknown one')
  }
  const impliedBy = data.distributions.flatMap((d) => d.impliedByClusterTypes)
  reportDuplicates(impliedBy, 'distributions', 'impliedByClusterTypes entry (a cluster type can imply one distribution)', problems)

  const distributionIds = new Set(data.distributions.map((d) => d.id))
  const typesByName = new Map(data.types.map((t) => [t.type, t]))
  data.types.forEach((spec, i) => {
    const path = `types[${i}]`
    if (spec.supportedDistributions !== 'any') {
      for (const id of spec.supportedDistributions) {
        if (!distributionIds.has(id)) {
          const hint = data.distributions.find((d) => d.aliases.includes(id))
          problems.push(`${path}.supportedDistributions: "${id}" is not a distribution id` + (hint ? ` (it is an alias of "${hint.id}"; list the id)` : ` (known: ${[...distributionIds].join(', ')})`))
        }
      }
    }
    for (const other of spec.conflictsWith) {
      const counterpart = typesByName.get(other)
      if (other === spec.type) problems.push(`${path}.conflictsWith: ${spec.type} cannot conflict with itself (use allowMultipleInstances)`)
      else if (!counterpart) problems.push(`${path}.conflictsWith: "${other}" is not an extension type in this catalog`)
      else if (!counterpart.conflictsWith.includes(spec.type)) {
        problems.push(`${path}.conflictsWith: ${spec.type} lists ${other}, but ${other} does not list ${spec.type}; conflicts must be symmetric`)
      }
    }
  })
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
