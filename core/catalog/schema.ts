// The catalog's runtime validator. The catalog is operator-editable data (extension-types.json or CATALOG_FILE), so
// it is checked as untrusted input: its structure against one JSON Schema (catalog-schema.ts), then what relates
// values to each other here. Every problem is collected and reported at once, so an operator can fix a file in one pass.
import type { ErrorObject } from 'ajv'
import type { CatalogData, ExtensionTypeSpec } from './catalog-types.js'
import { compileSettingsSchema, settingsProblems } from './settings-schema.js'
import { RELEASE_DATE, validateCatalogShape, validateExtensionTypeShape } from './catalog-schema.js'
import { Catalog } from './lookup.js'
import { compareSemver } from './semver.js'
import { allowedKeys, isSummaryError, pointerSegments, problemPhrase } from '../json-schema.js'

export class CatalogValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid extension-type catalog (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`)
  }
}

type Problems = string[]

/** Validates untrusted catalog JSON and returns an immutable Catalog; throws CatalogValidationError listing every problem. */
export function validateCatalog(raw: unknown): Catalog {
  // A copy: validation fills in defaults, unknown keys are dropped below, and the result is frozen.
  const document: unknown = structuredClone(raw)
  if (validateCatalogShape(document)) return soundCatalog(document, [])
  const errors = validateCatalogShape.errors ?? []
  const problems = structuralProblems(errors, document)
  // Unknown keys are reported but hide nothing: without them the rest is judged as if they were not there.
  if (errors.every((error) => error.keyword === 'additionalProperties')) {
    for (const error of errors) dropKey(document, error)
    if (validateCatalogShape(document)) return soundCatalog(document, problems)
  }
  // Types that are sound on their own still get their own checks, listed with that type's other problems.
  const types = isRecord(document) ? document.types : undefined
  if (Array.isArray(types)) types.forEach((entry: unknown, i) => validateExtensionTypeShape(entry) && checkExtensionType(entry, `types[${i}]`, problems))
  const typeIndex = (problem: string) => Number(/^types\[(\d+)\]/.exec(problem)?.[1] ?? -1)
  throw new CatalogValidationError(problems.sort((a, b) => typeIndex(a) - typeIndex(b)))
}

function soundCatalog(data: CatalogData, problems: Problems): Catalog {
  data.types.forEach((spec, i) => checkExtensionType(spec, `types[${i}]`, problems))
  // Cross-references are judged only once every entry is sound; against half-read entries they would report
  // problems that are not there.
  checkCrossReferences(data, problems)
  if (problems.length > 0) throw new CatalogValidationError(problems)
  return new Catalog(deepFreeze({ distributions: data.distributions, types: data.types }))
}

function dropKey(document: unknown, error: ErrorObject): void {
  const parent = pointerSegments(error.instancePath).reduce(childOf, document)
  if (isRecord(parent)) delete parent[String(error.params.additionalProperty)]
}

// ---- structure: ajv's errors in the catalog's own wording ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function childOf(value: unknown, segment: string): unknown {
  if (Array.isArray(value)) return value[Number(segment)]
  return isRecord(value) ? value[segment] : undefined
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `"${value}"` : `${typeof value} ${JSON.stringify(value)}`
}

/** `/types/1/releaseTrains/0` → `types[1].releaseTrains[0]`: array indexes in brackets, keys after dots. */
function catalogPath(instancePath: string, document: unknown): string {
  let path = ''
  let value = document
  for (const segment of pointerSegments(instancePath)) {
    if (Array.isArray(value)) path += `[${segment}]`
    else path += path ? `.${segment}` : segment
    value = childOf(value, segment)
  }
  return path || '(root)'
}

function expectedOf(type: unknown): string {
  const types = String(type)
  if (types.includes('object')) return 'an object'
  if (types.includes('array')) return 'an array'
  if (types.includes('boolean')) return 'true or false'
  return 'a non-empty string'
}

function structuralProblem(error: ErrorObject, document: unknown): string | undefined {
  const path = catalogPath(error.instancePath, document)
  const value: unknown = error.data
  const phrase = problemPhrase(error)
  switch (error.keyword) {
    case 'additionalProperties':
      return `${path}: unknown key "${String(error.params.additionalProperty)}" (allowed: ${allowedKeys(error.parentSchema).join(', ')})`
    case 'required':
      return `${path}: missing required key "${String(error.params.missingProperty)}"`
    case 'enum':
      return `${path}: ${describe(value)} is not one of ${(error.params.allowedValues as string[]).join(', ')}`
    case 'pattern':
      // A blank string is reported as blank whatever else its pattern asks for; `\S` alone asks for nothing else.
      if (!phrase || (typeof value === 'string' && value.trim() === '')) return `${path}: expected a non-empty string, got ${describe(value)}`
      return `${path}: ${describe(value)} ${phrase}`
    case 'format':
    case 'const':
      return `${path}: ${describe(value)} ${phrase ?? String(error.message)}`
    case 'minItems':
    case 'minProperties':
      return `${path}: ${phrase ?? String(error.message)}`
    case 'type':
    case 'minimum':
    case 'discriminator':
      return `${path}: expected ${phrase ?? expectedOf(error.params.type)}, got ${describe(value)}`
  }
  return isSummaryError(error) ? undefined : `${path}: ${String(error.message)}`
}

/** In the order a reader meets them: ajv reports an object's missing keys just before its unknown ones, the file shows the unknown ones first. */
function structuralProblems(errors: readonly ErrorObject[], document: unknown): string[] {
  const ordered: ErrorObject[] = []
  for (const error of errors) {
    let at = ordered.length
    if (error.keyword === 'additionalProperties') {
      while (at > 0 && ordered[at - 1]?.keyword === 'required' && ordered[at - 1]?.instancePath === error.instancePath) at--
    }
    ordered.splice(at, 0, error)
  }
  return ordered.map((error) => structuralProblem(error, document)).filter((problem) => problem !== undefined)
}

// ---- relations between values, once the structure holds them ----

function reportDuplicates(values: readonly string[], path: string, what: string, problems: Problems, key = (v: string) => v.toLowerCase()): void {
  const seen = new Set<string>()
  for (const value of values) {
    if (seen.has(key(value))) problems.push(`${path}: duplicate ${what} "${value}"`)
    seen.add(key(value))
  }
}

function isCalendarDate(text: string): boolean {
  const [, year, month, day] = RELEASE_DATE.exec(text) ?? []
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day ?? '1')))
  return date.getUTCMonth() === Number(month) - 1 && (day === undefined || date.getUTCDate() === Number(day))
}

function checkExtensionType(spec: ExtensionTypeSpec, path: string, problems: Problems): void {
  const at = (key: string) => `${path}.${key}`
  if (spec.supportedDistributions !== 'any') reportDuplicates(spec.supportedDistributions, at('supportedDistributions'), 'distribution', problems)
  spec.releaseTrains.forEach((train, t) => {
    const trainPath = `${at('releaseTrains')}[${t}]`
    train.versions.forEach((version, v) => {
      if (version.releasedOn !== null && !isCalendarDate(version.releasedOn)) problems.push(`${trainPath}.versions[${v}].releasedOn: "${version.releasedOn}" is not a real calendar date`)
      if (version.upgradeFrom !== undefined && compareSemver(version.upgradeFrom, version.version) >= 0) {
        problems.push(`${trainPath}.versions[${v}].upgradeFrom: "${version.upgradeFrom}" must be older than the version itself ("${version.version}")`)
      }
    })
    // Equal precedence (e.g. 1.0.0+a and 1.0.0+b) would make "newest" ambiguous, so it counts as a duplicate.
    const canonical = train.versions.map((v) => v.version)
    canonical.forEach((version, i) => {
      if (canonical.slice(0, i).some((earlier) => compareSemver(earlier, version) === 0)) problems.push(`${trainPath}.versions: duplicate version "${version}"`)
    })
  })
  if (spec.retiresOn !== null && !isCalendarDate(spec.retiresOn)) problems.push(`${at('retiresOn')}: "${spec.retiresOn}" is not a real calendar date`)
  reportDuplicates(spec.aliases, at('aliases'), 'alias', problems)
  if (spec.aliases.includes(spec.type)) problems.push(`${at('aliases')}: "${spec.type}" is the type's own name, not an alias`)
  reportDuplicates(spec.supportedClusterTypes, at('supportedClusterTypes'), 'cluster type', problems)
  reportDuplicates(
    spec.releaseTrains.map((t) => t.name),
    at('releaseTrains'),
    'release train (names are case-insensitive)',
    problems,
  )
  reportDuplicates(spec.conflictsWith, at('conflictsWith'), 'conflicting type', problems)
  checkSettingsRules(spec, at('settingsRules'), problems)
  if (spec.scope === 'namespace' && typeof spec.defaultReleaseNamespace === 'string') {
    problems.push(`${at('defaultReleaseNamespace')}: must be null for a namespace-scoped type (the release goes to scope.namespace.targetNamespace)`)
  }
}

function checkSettingsRules(spec: ExtensionTypeSpec, path: string, problems: Problems): void {
  const rules = spec.settingsRules
  if (!rules) return
  if (rules.releaseNamespace !== null && rules.releaseNamespace !== spec.defaultReleaseNamespace) {
    problems.push(`${path}.releaseNamespace: "${rules.releaseNamespace}" must also be the type's defaultReleaseNamespace, so a request that names none gets it`)
  }
  if (rules.defaultReleaseTrain !== null && !spec.releaseTrains.some((train) => train.name.toLowerCase() === rules.defaultReleaseTrain?.toLowerCase())) {
    problems.push(`${path}.defaultReleaseTrain: "${rules.defaultReleaseTrain}" is not one of the type's release trains`)
  }
  if (rules.singleInstanceMessage !== null && (spec.scope !== 'cluster' || spec.allowMultipleInstances)) {
    problems.push(`${path}.singleInstanceMessage: only a cluster-scoped type with allowMultipleInstances false refuses a second instance`)
  }
  for (const map of ['configurationSettings', 'configurationProtectedSettings', 'anySettings'] as const) {
    const schema = rules[map]
    if (!schema) continue
    try {
      compileSettingsSchema(schema)
    } catch (error) {
      problems.push(`${path}.${map}: not a JSON Schema this service can check settings with (${error instanceof Error ? error.message : String(error)})`)
    }
  }
  if (problems.length > 0 || !rules.exampleSettings) return
  const example = rules.exampleSettings
  const broken = [rules.configurationSettings, rules.anySettings].flatMap((schema) => (schema ? settingsProblems(schema, example) : []))
  broken.forEach((problem) => problems.push(`${path}.exampleSettings: ${problem.key === null ? '' : `key '${problem.key}' `}${problem.phrase}`))
}

function checkCrossReferences(data: CatalogData, problems: Problems): void {
  reportDuplicates(
    data.types.map((t) => t.type),
    'types',
    'extension type',
    problems,
  )
  // An alias is looked up like a name, so it may name one type only: not another type, nor another type's alias.
  const owners = new Map<string, string>(data.types.map((t) => [t.type, t.type]))
  data.types.forEach((spec, i) => {
    for (const alias of new Set(spec.aliases)) {
      const owner = owners.get(alias)
      if (owner !== undefined && owner !== spec.type) {
        problems.push(`types[${i}].aliases: "${alias}" ` + (owner === alias ? 'is the name of another extension type' : `is already an alias of ${owner}`))
      } else owners.set(alias, spec.type)
    }
  })

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
