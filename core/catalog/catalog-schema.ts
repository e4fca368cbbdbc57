// The catalog's structure as one JSON Schema: types, required and unknown keys, enums, patterns, list lengths. What
// needs more than one value at a time (duplicates, conflicts, distribution ids, calendar dates) is checked in
// schema.ts. `x-problem` carries the hint each failing keyword is reported with (core/json-schema.ts).
import { CLUSTER_TYPES, EXTENSION_SCOPES, type CatalogData, type ExtensionTypeSpec } from './catalog-types.js'
import { parseSemver } from './semver.js'
import { schemaAjv } from '../json-schema.js'

const LOWER_NAME = '^[a-z0-9][a-z0-9_.-]*$'
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
const KUBERNETES_MIN_VERSION = '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(\\.(0|[1-9]\\d*))?$'
/** YYYY-MM-DD or YYYY-MM; whether the day exists is checked in schema.ts. */
export const RELEASE_DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/
const RETIREMENT_DATE = '^\\d{4}-\\d{2}-\\d{2}$'

/** Blank strings are reported as such whatever the pattern (schema.ts), so `\S` alone means "non-empty". */
const nonEmptyString = { type: 'string', pattern: '\\S' } as const
const matching = (pattern: string, what: string) => ({ type: 'string', pattern, 'x-problem': { pattern: `is not ${what}` } }) as const
const nullable = <T extends { type: 'string' }>(schema: T) => ({ ...schema, type: ['string', 'null'] }) as const
const listOf = (items: object, emptyProblem?: string) => ({ type: 'array', items, ...(emptyProblem ? { minItems: 1, 'x-problem': { minItems: emptyProblem } } : {}) }) as const

const SEMVER_FORMAT = 'strict-semver'
schemaAjv.addFormat(SEMVER_FORMAT, { type: 'string', validate: (text: string) => parseSemver(text) !== null })

const version = {
  type: 'object',
  required: ['version', 'releasedOn', 'notes'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', format: SEMVER_FORMAT, 'x-problem': { format: 'is not strict SemVer 2.0.0 (MAJOR.MINOR.PATCH, no leading zeros, no "v" prefix)' } },
    releasedOn: nullable(matching(RELEASE_DATE.source, 'a date as YYYY-MM-DD or YYYY-MM')),
    notes: listOf(nonEmptyString),
    components: { type: 'object', additionalProperties: nonEmptyString, 'x-problem': { type: 'an object of name → version strings' } },
    breakingChanges: listOf(nonEmptyString),
    upgradeFrom: { type: 'string', format: SEMVER_FORMAT, 'x-problem': { format: 'is not strict SemVer 2.0.0 (the oldest version an upgrade may start from)' } },
    minKubernetesVersion: matching(KUBERNETES_MIN_VERSION, 'a Kubernetes version such as "1.30"'),
    unsupportedArchitectures: listOf(matching(LOWER_NAME, 'a lower-case architecture such as "arm64"')),
    source: nonEmptyString,
  },
} as const

const releaseTrain = {
  type: 'object',
  required: ['name', 'versions'],
  additionalProperties: false,
  properties: { name: nonEmptyString, versions: listOf(version) },
} as const

const SUPPORT_POLICY = '{"kind":"all"} or {"kind":"latestMinus","n":<number>}'
const WHOLE_NUMBER = 'a whole number ≥ 0'
const supportPolicy = {
  type: 'object',
  discriminator: { propertyName: 'kind' },
  oneOf: [
    { type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: { const: 'all' } } },
    {
      type: 'object',
      required: ['kind', 'n'],
      additionalProperties: false,
      properties: { kind: { const: 'latestMinus' }, n: { type: 'integer', minimum: 0, 'x-problem': { type: WHOLE_NUMBER, minimum: WHOLE_NUMBER } } },
    },
  ],
  'x-problem': { type: SUPPORT_POLICY, discriminator: SUPPORT_POLICY },
} as const

const supportedDistributions = {
  if: { type: 'string' },
  then: { const: 'any', 'x-problem': { const: 'must be "any" or a list of distribution ids' } },
  else: listOf(matching(LOWER_NAME, 'a lower-case distribution id'), 'use "any" or list at least one distribution'),
} as const

const planInfo = {
  type: 'object',
  required: ['publisherId', 'offerId', 'planId'],
  additionalProperties: false,
  properties: { publisherId: nonEmptyString, offerId: nonEmptyString, planId: nonEmptyString },
} as const

const HTTPS_URL = '^https://\\S+$'
/** The publisher's links Azure answers as an extension's `additionalDetails` (extensions 2025-03-01). */
const additionalDetails = {
  type: ['object', 'null'],
  additionalProperties: false,
  minProperties: 1,
  properties: {
    docs: matching(HTTPS_URL, 'an https URL'),
    releaseNotes: matching(HTTPS_URL, 'an https URL'),
    troubleshootingGuide: matching(HTTPS_URL, 'an https URL'),
  },
  default: null,
  'x-problem': { minProperties: 'name at least one of docs, releaseNotes, troubleshootingGuide, or be null' },
} as const

/** A JSON Schema over a settings map: compiled and checked for soundness in schema.ts, not here. */
const settingsSchema = { type: ['object', 'null'], default: null } as const
const settingsRules = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string', 'x-problem': { type: 'a string' } },
    releaseNamespace: { ...nullable(matching(DNS_LABEL, 'a Kubernetes namespace name (RFC 1123 label)')), default: null },
    configurationSettings: settingsSchema,
    configurationProtectedSettings: settingsSchema,
    anySettings: settingsSchema,
    keysInOneMapOnly: { type: 'boolean', default: false },
    exampleSettings: { type: ['object', 'null'], additionalProperties: { type: 'string' }, default: null, 'x-problem': { type: 'an object of key → string value' } },
    nameMaxLength: { type: ['integer', 'null'], minimum: 1, default: null, 'x-problem': { type: 'a whole number ≥ 1, or null', minimum: 'a whole number ≥ 1, or null' } },
    nameIsHelmReleaseName: { type: 'boolean', default: false },
    autoUpgradeMinorVersion: { type: ['boolean', 'null'], default: null, 'x-problem': { type: 'true, false or null' } },
    defaultReleaseTrain: { ...nullable(nonEmptyString), default: null },
    singleInstanceMessage: { ...nullable(nonEmptyString), default: null },
  },
  default: null,
} as const

// Properties in the order a reader of the file meets them; `required` is the order unknown-key problems list them in.
const extensionType = {
  type: 'object',
  required: [
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
  ],
  additionalProperties: false,
  properties: {
    type: matching(LOWER_NAME, 'a lower-case extension type name such as "microsoft.flux"'),
    aliases: { ...listOf(matching(LOWER_NAME, 'a lower-case extension type name such as "azuremonitor-containers"')), default: [] },
    displayName: nonEmptyString,
    publisher: nonEmptyString,
    description: nonEmptyString,
    supportedDistributions,
    supportedClusterTypes: listOf({ enum: [...CLUSTER_TYPES] }, 'list at least one cluster type'),
    scope: { enum: [...EXTENSION_SCOPES] },
    preview: { type: 'boolean' },
    minKubernetesVersion: nullable(matching(KUBERNETES_MIN_VERSION, 'a Kubernetes version such as "1.27"')),
    unsupportedArchitectures: listOf(matching(LOWER_NAME, 'a lower-case architecture such as "arm64"')),
    conflictsWith: listOf(matching(LOWER_NAME, 'a lower-case extension type name')),
    allowMultipleInstances: { type: 'boolean' },
    defaultReleaseNamespace: nullable(matching(DNS_LABEL, 'a Kubernetes namespace name (RFC 1123 label)')),
    singletonName: { ...nullable(nonEmptyString), default: null },
    // `required` and `additionalProperties` do not apply to null, so one schema admits both.
    planInfo: { ...planInfo, type: ['object', 'null'], default: null },
    settingsRules,
    retiresOn: { ...nullable(matching(RETIREMENT_DATE, 'a date as YYYY-MM-DD')), default: null },
    additionalDetails,
    releaseTrains: listOf(releaseTrain, 'list at least one release train'),
    supportPolicy,
    source: nonEmptyString,
  },
} as const

const distribution = {
  type: 'object',
  required: ['id', 'displayName', 'aliases'],
  additionalProperties: false,
  properties: {
    id: matching(LOWER_NAME, 'a lower-case distribution id'),
    displayName: nonEmptyString,
    aliases: listOf(matching(LOWER_NAME, 'a lower-case distribution alias')),
    impliedByClusterTypes: { ...listOf({ enum: [...CLUSTER_TYPES] }), default: [] },
  },
} as const

const CATALOG_SCHEMA_ID = 'arcext:extension-type-catalog'

const catalogSchema = {
  $id: CATALOG_SCHEMA_ID,
  type: 'object',
  required: ['distributions', 'types'],
  additionalProperties: false,
  properties: {
    // "$comment" lets operators annotate their copy; JSON has no comments.
    $comment: { type: 'string', 'x-problem': { type: 'a string' } },
    distributions: listOf(distribution),
    types: listOf({ $ref: '#/$defs/extensionType' }),
  },
  $defs: { extensionType },
} as const

/** Fills in the defaults (aliases, singletonName, planInfo, settingsRules, retiresOn, additionalDetails, impliedByClusterTypes) in place, so it is given a copy. */
export const validateCatalogShape = schemaAjv.compile<CatalogData>(catalogSchema)
/** One entry of `types`, so an entry that is sound gets its own checks while another entry is broken. */
export const validateExtensionTypeShape = schemaAjv.compile<ExtensionTypeSpec>({ $ref: `${CATALOG_SCHEMA_ID}#/$defs/extensionType` })
