import { describe, expect, it } from 'vitest'
import { validateCatalog } from '../../core/catalog/schema.js'
import { minimalCatalogJson, typeJson, problemsOf } from './fixtures.js'

type RawCatalog = ReturnType<typeof minimalCatalogJson>

function withType(index: number, overrides: Record<string, unknown>): RawCatalog {
  const raw = minimalCatalogJson()
  raw.types[index] = { ...raw.types[index], ...overrides }
  return raw
}

function withVersions(versions: unknown[]): RawCatalog {
  return withType(0, { releaseTrains: [{ name: 'Stable', versions }] })
}

const version = (v: string, extra: Record<string, unknown> = {}) => ({ version: v, releasedOn: null, notes: [], ...extra })

describe('validateCatalog accepts', () => {
  it('the minimal catalog, with case-insensitive lookups', () => {
    const catalog = validateCatalog(minimalCatalogJson())
    expect(catalog.findType('EXAMPLE.One')?.type).toBe('example.one')
    expect(catalog.findType('example.three')).toBeUndefined()
    expect(catalog.findType('example.one')?.singletonName).toBeNull()
  })

  it('returns data that cannot be mutated by a caller', () => {
    const catalog = validateCatalog(minimalCatalogJson())
    expect(Object.isFrozen(catalog.types[0]?.releaseTrains[0]?.versions)).toBe(true)
  })

  it('YYYY-MM release dates, components and breaking changes', () => {
    const raw = withVersions([version('1.0.0', { releasedOn: '2025-03', components: { flux: 'v2.5.1' }, breakingChanges: ['x'] })])
    expect(validateCatalog(raw).types[0]?.releaseTrains[0]?.versions[0]?.components).toEqual({ flux: 'v2.5.1' })
  })

  it("a publisher's additionalDetails links, null when it gives none", () => {
    const links = { docs: 'https://example.com/docs', troubleshootingGuide: 'https://example.com/help' }
    const catalog = validateCatalog(withType(0, { additionalDetails: links }))
    expect(catalog.findType('example.one')?.additionalDetails).toEqual(links)
    expect(catalog.findType('example.two')?.additionalDetails).toBeNull()
  })

  it('a release train that lists no version yet (none could be sourced; installs are refused with NoInstallableVersion)', () => {
    expect(validateCatalog(withVersions([])).types[0]?.releaseTrains[0]?.versions).toEqual([])
  })
})

describe('validateCatalog rejects', () => {
  const cases: { name: string; raw: () => unknown; problem: RegExp }[] = [
    { name: 'a non-object root', raw: () => [], problem: /\(root\): expected an object/ },
    { name: 'an unknown root key', raw: () => ({ ...minimalCatalogJson(), extra: 1 }), problem: /\(root\): unknown key "extra"/ },
    {
      name: 'a duplicate type (case-insensitive)',
      raw: () => withType(1, { type: 'example.one' }),
      problem: /types: duplicate extension type "example.one"/,
    },
    { name: 'an upper-case type name', raw: () => withType(0, { type: 'Example.One' }), problem: /types\[0\]\.type: "Example.One" is not a lower-case extension type name/ },
    { name: 'an unknown key on a type', raw: () => withType(0, { colour: 'blue' }), problem: /types\[0\]: unknown key "colour"/ },
    {
      name: 'an additionalDetails link that is not https',
      raw: () => withType(0, { additionalDetails: { docs: 'http://example.com/docs' } }),
      problem: /types\[0\]\.additionalDetails\.docs: "http:\/\/example.com\/docs" is not an https URL/,
    },
    { name: 'an empty additionalDetails', raw: () => withType(0, { additionalDetails: {} }), problem: /types\[0\]\.additionalDetails: name at least one of docs/ },
    { name: 'an unknown additionalDetails link', raw: () => withType(0, { additionalDetails: { blog: 'https://example.com' } }), problem: /types\[0\]\.additionalDetails: unknown key "blog"/ },
    {
      name: 'a missing required key',
      raw: () => {
        const raw = minimalCatalogJson()
        delete raw.types[0]?.scope
        return raw
      },
      problem: /types\[0\]: missing required key "scope"/,
    },
    { name: 'a wrong value type', raw: () => withType(0, { preview: 'yes' }), problem: /types\[0\]\.preview: expected true or false, got "yes"/ },
    { name: 'an unknown scope', raw: () => withType(0, { scope: 'tenant' }), problem: /types\[0\]\.scope: "tenant" is not one of cluster, namespace/ },
    { name: 'an unknown cluster type', raw: () => withType(0, { supportedClusterTypes: ['fleets'] }), problem: /supportedClusterTypes\[0\]: "fleets" is not one of/ },
    { name: 'a version with a leading zero', raw: () => withVersions([version('1.0.029903')]), problem: /versions\[0\]\.version: "1.0.029903" is not strict SemVer/ },
    { name: 'a version with a v prefix', raw: () => withVersions([version('v1.0.0')]), problem: /"v1.0.0" is not strict SemVer/ },
    { name: 'a duplicate version', raw: () => withVersions([version('1.0.0'), version('1.0.0')]), problem: /versions: duplicate version "1.0.0"/ },
    { name: 'versions of equal precedence', raw: () => withVersions([version('1.0.0+a'), version('1.0.0+b')]), problem: /duplicate version "1.0.0\+b"/ },
    { name: 'an unknown key on a version', raw: () => withVersions([version('1.0.0', { date: 'x' })]), problem: /versions\[0\]: unknown key "date"/ },
    { name: 'an impossible release date', raw: () => withVersions([version('1.0.0', { releasedOn: '2025-02-30' })]), problem: /"2025-02-30" is not a real calendar date/ },
    { name: 'a malformed release date', raw: () => withVersions([version('1.0.0', { releasedOn: 'March 2025' })]), problem: /releasedOn: "March 2025" is not a date/ },
    {
      name: 'release trains differing only in case',
      raw: () =>
        withType(0, {
          releaseTrains: [
            { name: 'Stable', versions: [version('1.0.0')] },
            { name: 'stable', versions: [version('1.0.0')] },
          ],
        }),
      problem: /duplicate release train/,
    },
    { name: 'no release trains', raw: () => withType(0, { releaseTrains: [] }), problem: /releaseTrains: list at least one release train/ },
    { name: 'a negative support window', raw: () => withType(0, { supportPolicy: { kind: 'latestMinus', n: -1 } }), problem: /supportPolicy\.n: expected a whole number/ },
    { name: 'an unknown support policy', raw: () => withType(0, { supportPolicy: { kind: 'lts' } }), problem: /supportPolicy: expected \{"kind":"all"\}/ },
    { name: 'a malformed minimum Kubernetes version', raw: () => withType(0, { minKubernetesVersion: 'v1.27' }), problem: /minKubernetesVersion: "v1.27" is not a Kubernetes version/ },
    {
      name: 'a conflict with an unknown type',
      raw: () => withType(0, { conflictsWith: ['example.missing'] }),
      problem: /types\[0\]\.conflictsWith: "example.missing" is not an extension type in this catalog/,
    },
    {
      name: 'an asymmetric conflict',
      raw: () => withType(0, { conflictsWith: ['example.two'] }),
      problem: /example.one lists example.two, but example.two does not list example.one; conflicts must be symmetric/,
    },
    { name: 'a conflict with itself', raw: () => withType(0, { conflictsWith: ['example.one'] }), problem: /cannot conflict with itself/ },
    {
      name: 'an unknown distribution',
      raw: () => withType(0, { supportedDistributions: ['aks', 'gke'] }),
      problem: /supportedDistributions: "gke" is not a distribution id \(known: aks, generic\)/,
    },
    {
      name: 'a distribution alias where an id belongs',
      raw: () => {
        const raw = withType(0, { supportedDistributions: ['rke'] })
        raw.distributions = [...(raw.distributions as unknown[]), { id: 'rancher_rke', displayName: 'RKE', aliases: ['rke'] }]
        return raw
      },
      problem: /"rke" is not a distribution id \(it is an alias of "rancher_rke"; list the id\)/,
    },
    { name: 'an empty distribution list', raw: () => withType(0, { supportedDistributions: [] }), problem: /use "any" or list at least one distribution/ },
    { name: 'a distribution keyword other than any', raw: () => withType(0, { supportedDistributions: 'all' }), problem: /"all" must be "any" or a list/ },
    {
      name: 'a catalog without the generic distribution',
      raw: () => ({ ...minimalCatalogJson(), distributions: [{ id: 'aks', displayName: 'AKS', aliases: [] }] }),
      problem: /must define "generic"/,
    },
    {
      name: 'a default release namespace on a namespace-scoped type',
      raw: () => withType(0, { scope: 'namespace', defaultReleaseNamespace: 'gateway' }),
      problem: /defaultReleaseNamespace: must be null for a namespace-scoped type/,
    },
    { name: 'an invalid namespace name', raw: () => withType(0, { defaultReleaseNamespace: 'Flux_System' }), problem: /"Flux_System" is not a Kubernetes namespace name/ },
  ]

  it.each(cases)('$name', ({ raw, problem }) => {
    expect(problemsOf(raw()).join('\n')).toMatch(problem)
  })

  it('lists every problem in one error, each with its JSON path', () => {
    const raw = minimalCatalogJson()
    raw.types = [
      typeJson('example.one', { preview: 1, conflictsWith: ['example.two'], releaseTrains: [{ name: 'Stable', versions: [version('1.0.029903')] }] }),
      typeJson('example.two', { colour: 'blue' }),
    ]
    const problems = problemsOf(raw)
    expect(problems).toEqual([
      'types[0].preview: expected true or false, got number 1',
      'types[0].releaseTrains[0].versions[0].version: "1.0.029903" is not strict SemVer 2.0.0 (MAJOR.MINOR.PATCH, no leading zeros, no "v" prefix)',
      'types[1]: unknown key "colour" (allowed: type, displayName, publisher, description, supportedDistributions, supportedClusterTypes, scope, preview, minKubernetesVersion, unsupportedArchitectures, conflictsWith, allowMultipleInstances, defaultReleaseNamespace, releaseTrains, supportPolicy, source, aliases, singletonName, planInfo, settingsRules, retiresOn, additionalDetails)',
    ])
    expect(() => validateCatalog(raw)).toThrow(/Invalid extension-type catalog \(3 problems\):\n- types\[0\]\.preview/)
  })

  it('still checks a sound type while another type is broken', () => {
    const raw = minimalCatalogJson()
    raw.types = [typeJson('example.one', { preview: 1 }), typeJson('example.two', { releaseTrains: [{ name: 'Stable', versions: [version('1.0.0'), version('1.0.0')] }] })]
    expect(problemsOf(raw)).toEqual(['types[0].preview: expected true or false, got number 1', 'types[1].releaseTrains[0].versions: duplicate version "1.0.0"'])
  })

  it('reports unknown keys without hiding the cross-references they sit beside', () => {
    const raw = withType(0, { colour: 'blue', conflictsWith: ['example.missing'] })
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^types\[0\]: unknown key "colour"/), 'types[0].conflictsWith: "example.missing" is not an extension type in this catalog'])
  })
})
