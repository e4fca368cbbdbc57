import { describe, expect, it } from 'vitest'
import { findReleaseTrain } from '../../core/catalog/release-trains.js'
import { isStrictSemver } from '../../core/catalog/semver.js'
import { SEED, seedCatalog } from './seed.js'

const catalog = seedCatalog()

describe('the seed-dated catalog matches the seed page', () => {
  it('holds exactly the seed types', () => {
    expect(catalog.typeNames().sort()).toEqual(SEED.map((s) => s.type).sort())
  })

  it.each(SEED)('$type: distributions, preview, scope, Kubernetes floor, architectures, conflicts', (seed) => {
    const spec = catalog.findType(seed.type)
    expect(spec).toBeDefined()
    const distributions = spec?.supportedDistributions
    expect(distributions === 'any' ? 'any' : [...(distributions ?? [])].sort()).toEqual(seed.distributions === 'any' ? 'any' : [...seed.distributions].sort())
    expect(spec?.preview).toBe(seed.preview)
    expect(spec?.scope).toBe(seed.scope)
    expect(spec?.minKubernetesVersion).toBe(seed.minKubernetesVersion ?? null)
    expect(spec?.unsupportedArchitectures).toEqual(seed.unsupportedArchitectures ?? [])
    expect(spec?.conflictsWith).toEqual(seed.conflictsWith ?? [])
  })

  it.each(SEED)('$type: at least two strict-SemVer versions on a Stable train, and a source', ({ type }) => {
    const spec = catalog.findType(type)
    const stable = spec && findReleaseTrain(spec, 'Stable')
    expect(stable?.versions.length).toBeGreaterThanOrEqual(2)
    for (const train of spec?.releaseTrains ?? []) for (const v of train.versions) expect(isStrictSemver(v.version)).toBe(true)
    expect(spec?.source).toMatch(/https:\/\/learn\.microsoft\.com\//)
  })

  // Issue #5: every version list says where it came from, or says plainly that it is unverified.
  it.each(SEED.filter(({ type }) => type !== 'microsoft.flux'))('$type: the source says how its versions were verified, or that they are not', ({ type }) => {
    const source = catalog.findType(type)?.source ?? ''
    const verified = /Versions: verified \d{4}-\d{2}-\d{2} (?:from|as)\b.*https:\/\/\S+/s.test(source)
    const unverified = /Versions: ILLUSTRATIVE AND UNVERIFIED\b.*https:\/\/\S+/s.test(source)
    expect(verified !== unverified).toBe(true)
  })

  describe('microsoft.flux carries the seed release notes', () => {
    const flux = catalog.findType('microsoft.flux')
    const stable = flux && findReleaseTrain(flux, 'Stable')
    const byVersion = (v: string) => stable?.versions.find((x) => x.version === v)
    const flux24 = {
      flux: 'v2.4.0',
      'source-controller': 'v1.4.1',
      'kustomize-controller': 'v1.4.0',
      'helm-controller': 'v1.1.0',
      'notification-controller': 'v1.4.0',
      'image-automation-controller': 'v0.39.0',
      'image-reflector-controller': 'v0.33.0',
    }

    it('supports the latest version and the two before it (N-2)', () => {
      expect(flux?.supportPolicy).toEqual({ kind: 'latestMinus', n: 2 })
    })

    it.each([
      [
        '1.16.2',
        '2025-03',
        {
          flux: 'v2.5.1',
          'source-controller': 'v1.5.0',
          'kustomize-controller': 'v1.5.1',
          'helm-controller': 'v1.2.0',
          'notification-controller': 'v1.5.0',
          'image-automation-controller': 'v0.40.0',
          'image-reflector-controller': 'v0.34.0',
        },
        /tenant ID/,
      ],
      ['1.15.1', '2025-02', flux24, /workload identity in Arc-enabled clusters/],
      ['1.14.1', '2025-01', flux24, /Azure DevOps repositories using workload identity/],
    ])('%s (%s): components and change notes', (version, releasedOn, components, note) => {
      const entry = byVersion(version)
      expect(entry?.releasedOn).toBe(releasedOn)
      expect(entry?.components).toEqual(components)
      expect(entry?.notes[0]).toMatch(/security vulnerabilities in the fluxconfig-agent, fluxconfig-controller and fluent-bit-mdm/)
      expect(entry?.notes.join('\n')).toMatch(note)
    })

    it('1.16.2 records the source-controller semver breaking change', () => {
      expect(byVersion('1.16.2')?.breakingChanges?.join('\n')).toMatch(/Masterminds\/semver\/v3 from v3\.3\.0 to v3\.3\.1.*1\.0\.029903/s)
      expect(byVersion('1.15.1')?.breakingChanges).toBeUndefined()
    })

    it('keeps an older version so the support window has something to exclude', () => {
      expect(byVersion('1.13.1')).toBeDefined()
    })
  })
})
