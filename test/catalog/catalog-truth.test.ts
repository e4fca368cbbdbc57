// The catalog features issue #16 adds, each against a small catalog built for it: aliases (legacy and renamed names),
// marketplace types (planInfo), upgrade-from minimums and retirement dates. Then the shipped catalog's own entries
// for them, so the data the upstream examples and the refresh rely on cannot drift unnoticed.
import { describe, expect, it } from 'vitest'
import { loadCatalog, shippedCatalogFile } from '../../core/catalog/catalog.js'
import { findReleaseTrain, supportedVersions } from '../../core/catalog/release-trains.js'
import { compareSemver } from '../../core/catalog/semver.js'
import { advisoryStatusesFor, checkInstallable, compatibleVersions, minKubernetesVersionOf, newestAutoUpgradeTarget, retirementStatusFor } from '../../core/catalog/rules.js'
import type { ClusterFacts } from '../../core/domain/model.js'
import { validateCatalog } from '../../core/catalog/schema.js'
import { cluster, installRequest, minimalCatalogJson, typeJson, problemsOf } from './fixtures.js'

function catalogWith(...types: Record<string, unknown>[]) {
  return { ...minimalCatalogJson(), types }
}

const version = (v: string, extra: Record<string, unknown> = {}) => ({ version: v, releasedOn: null, notes: [], ...extra })
const stable = (...versions: ReturnType<typeof version>[]) => [{ name: 'Stable', versions }]
const rulesOf = (violations: { rule: string }[]) => violations.map((v) => v.rule)

describe('aliases', () => {
  const raw = () => catalogWith(typeJson('contoso.monitor', { aliases: ['contoso-monitor', 'monitor-legacy'] }), typeJson('contoso.other', { conflictsWith: [] }))

  it('find the type by any alias, case-insensitively, while its name stays the catalog name', () => {
    const catalog = validateCatalog(raw())
    expect(catalog.findType('Contoso-Monitor')?.type).toBe('contoso.monitor')
    expect(catalog.findType('MONITOR-LEGACY')?.type).toBe('contoso.monitor')
    expect(catalog.typeNames()).toEqual(['contoso.monitor', 'contoso.other'])
    expect(validateCatalog(minimalCatalogJson()).types[0]?.aliases).toEqual([])
  })

  it.each([
    ['an upper-case alias', { aliases: ['Contoso-Monitor'] }, /types\[0\]\.aliases\[0\]: "Contoso-Monitor" is not a lower-case extension type name/],
    ['the type’s own name', { aliases: ['contoso.monitor'] }, /types\[0\]\.aliases: "contoso\.monitor" is the type's own name, not an alias/],
    ['the same alias twice', { aliases: ['legacy', 'legacy'] }, /types\[0\]\.aliases: duplicate alias "legacy"/],
  ])('reject %s', (_what, overrides, problem) => {
    expect(problemsOf(catalogWith(typeJson('contoso.monitor', overrides), typeJson('contoso.other'))).join('\n')).toMatch(problem)
  })

  it('reject an alias that names another type, or another type’s alias', () => {
    const problems = problemsOf(catalogWith(typeJson('contoso.monitor', { aliases: ['legacy'] }), typeJson('contoso.other', { aliases: ['contoso.monitor', 'legacy'] })))
    expect(problems).toEqual(['types[1].aliases: "contoso.monitor" is the name of another extension type', 'types[1].aliases: "legacy" is already an alias of contoso.monitor'])
  })

  it('count as the type for the single-instance and conflict rules, whichever name each extension was installed under', () => {
    const catalog = validateCatalog(
      catalogWith(typeJson('contoso.monitor', { aliases: ['contoso-monitor'], conflictsWith: ['contoso.other'] }), typeJson('contoso.other', { conflictsWith: ['contoso.monitor'] })),
    )
    const second = installRequest('contoso.monitor', { installedTypes: [{ extensionType: 'Contoso-Monitor', name: 'first' }], extensionName: 'second' })
    expect(rulesOf(checkInstallable(second, catalog))).toEqual(['MultipleInstancesNotAllowed'])
    const other = installRequest('contoso.other', { installedTypes: [{ extensionType: 'contoso-monitor', name: 'first' }], extensionName: 'other' })
    expect(rulesOf(checkInstallable(other, catalog))).toEqual(['ConflictingExtension'])
    // The extension being updated lists itself under its legacy name: that is not a second instance.
    const update = installRequest('contoso-monitor', { installedTypes: [{ extensionType: 'contoso-monitor', name: 'first' }], extensionName: 'first' })
    expect(checkInstallable(update, catalog)).toEqual([])
  })
})

describe('marketplace types (planInfo)', () => {
  const planInfo = { publisherId: 'Contoso', offerId: 'vote-offer', planId: 'vote-standard' }
  const catalog = validateCatalog(catalogWith(typeJson('contoso.vote', { planInfo }), typeJson('contoso.free')))
  const plan = { name: 'vote-standard', product: 'vote-offer', publisher: 'Contoso' }

  it("install with the offer's plan, its ids matched case-insensitively", () => {
    expect(checkInstallable(installRequest('contoso.vote', { plan }), catalog)).toEqual([])
    expect(checkInstallable(installRequest('contoso.vote', { plan: { name: 'Vote-Standard', product: 'VOTE-OFFER', publisher: 'contoso' } }), catalog)).toEqual([])
  })

  it('are refused without a plan, naming the plan as the target and the plan to send', () => {
    const [violation, ...rest] = checkInstallable(installRequest('contoso.vote', { plan: null }), catalog)
    expect(rest).toEqual([])
    expect(violation).toMatchObject({ rule: 'PlanRequired', target: 'plan', status: 400 })
    expect(violation?.message).toBe(
      "Extension type 'contoso.vote' is sold through an Azure Marketplace offer: the request must name its plan, plan.name 'vote-standard', plan.product 'vote-offer' and plan.publisher 'Contoso' (api-version 2022-11-01 or later).",
    )
  })

  it('are refused with an incomplete plan, naming the first missing field', () => {
    const [violation] = checkInstallable(installRequest('contoso.vote', { plan: { ...plan, product: ' ', publisher: '' } }), catalog)
    expect(violation).toMatchObject({ rule: 'PlanRequired', target: 'plan.product' })
    expect(violation?.message).toMatch(/, but it lacks plan\.product, plan\.publisher\.$/)
  })

  it('are refused with a plan of another offer (PlanNotOffered)', () => {
    const [violation] = checkInstallable(installRequest('contoso.vote', { plan: { ...plan, product: 'other-offer' } }), catalog)
    expect(violation).toMatchObject({ rule: 'PlanNotOffered', target: 'plan.product', status: 400 })
    expect(violation?.message).toContain("is not offered under plan.product 'other-offer'")
  })

  it('do not make a plan necessary for other types; planInfo is checked like the rest', () => {
    expect(checkInstallable(installRequest('contoso.free', { plan: null }), catalog)).toEqual([])
    expect(validateCatalog(minimalCatalogJson()).types[0]?.planInfo).toBeNull()
    expect(problemsOf(catalogWith(typeJson('contoso.vote', { planInfo: { publisherId: 'Contoso', offerId: 'vote-offer' } })))).toEqual(['types[0].planInfo: missing required key "planId"'])
  })
})

describe('upgrade-from minimums', () => {
  // Flux's shape: 1.23.0 can only be installed over 1.21.0 or later.
  const flux = typeJson('contoso.flux', {
    releaseTrains: stable(version('1.24.1'), version('1.23.0', { upgradeFrom: '1.21.0' }), version('1.22.0'), version('1.21.0'), version('1.20.1')),
  })
  const catalog = validateCatalog(catalogWith(flux))
  const spec = catalog.findType('contoso.flux')!
  const update = (installedVersion: string | null, version: string) => installRequest('contoso.flux', { autoUpgradeMinorVersion: false, version, installedVersion })

  it('refuse a pinned update from below the minimum, naming the version to install first', () => {
    const [violation, ...rest] = checkInstallable(update('1.20.1', '1.23.0'), catalog)
    expect(rest).toEqual([])
    expect(violation).toMatchObject({ rule: 'UpgradePathNotSupported', target: 'properties.version', status: 400 })
    expect(violation?.message).toBe(
      "Version '1.23.0' of extension type 'contoso.flux' can only be installed over version 1.21.0 or later, but the extension runs 1.20.1. Update to version '1.22.0' first, then to '1.23.0'.",
    )
  })

  it('allow it from the minimum or later, on a first install, and for versions without a minimum', () => {
    expect(checkInstallable(update('1.21.0', '1.23.0'), catalog)).toEqual([])
    expect(checkInstallable(update('1.22.0', '1.23.0'), catalog)).toEqual([])
    expect(checkInstallable(update(null, '1.23.0'), catalog)).toEqual([])
    expect(checkInstallable(update('1.20.1', '1.24.1'), catalog)).toEqual([])
    // A downgrade is not an upgrade: the minimum says nothing about it.
    expect(checkInstallable(update('1.24.1', '1.23.0'), catalog)).toEqual([])
  })

  it('make auto-upgrade step through the newest version it can reach instead of skipping the minimum', () => {
    expect(newestAutoUpgradeTarget(spec, 'Stable', '1.20.1')).toBe('1.24.1')
    const strict = validateCatalog(catalogWith(typeJson('contoso.flux', { releaseTrains: stable(version('1.23.0', { upgradeFrom: '1.21.0' }), version('1.22.0'), version('1.20.1')) })))
    const strictSpec = strict.findType('contoso.flux')!
    expect(newestAutoUpgradeTarget(strictSpec, 'Stable', '1.20.1')).toBe('1.22.0')
    expect(newestAutoUpgradeTarget(strictSpec, 'Stable', '1.22.0')).toBe('1.23.0')
  })

  it('must be older than the version they belong to, and strict SemVer', () => {
    const problems = problemsOf(catalogWith(typeJson('contoso.flux', { releaseTrains: stable(version('1.23.0', { upgradeFrom: '1.23.0' }), version('1.22.0', { upgradeFrom: 'v1.21' })) })))
    expect(problems).toEqual(['types[0].releaseTrains[0].versions[1].upgradeFrom: "v1.21" is not strict SemVer 2.0.0 (the oldest version an upgrade may start from)'])
    expect(problemsOf(catalogWith(typeJson('contoso.flux', { releaseTrains: stable(version('1.23.0', { upgradeFrom: '1.23.0' })) })))).toEqual([
      'types[0].releaseTrains[0].versions[0].upgradeFrom: "1.23.0" must be older than the version itself ("1.23.0")',
    ])
  })
})

describe('per-version constraints', () => {
  // Secret Store's shape: 1.3.0 needs Kubernetes 1.30 (the type 1.27); versions before 1.2.1 have no arm64 images.
  const store = typeJson('contoso.store', {
    minKubernetesVersion: '1.27',
    releaseTrains: stable(version('1.4.0'), version('1.3.0', { minKubernetesVersion: '1.30' }), version('1.2.1'), version('1.1.6', { unsupportedArchitectures: ['arm64'] })),
  })
  const catalog = validateCatalog(catalogWith(store))
  const spec = catalog.findType('contoso.store')!
  const pin = (version: string, facts: Partial<ClusterFacts>) => installRequest('contoso.store', { autoUpgradeMinorVersion: false, version, cluster: cluster(facts) })

  it("refuse a pinned version the cluster's Kubernetes is too old for, naming the version", () => {
    const [violation, ...rest] = checkInstallable(pin('1.3.0', { kubernetesVersion: 'v1.29.4' }), catalog)
    expect(rest).toEqual([])
    expect(violation).toMatchObject({ rule: 'KubernetesVersionTooLow', target: 'properties.version', status: 400 })
    expect(violation?.message).toBe(
      "Version '1.3.0' of extension type 'contoso.store' requires Kubernetes 1.30 or later, but the cluster runs v1.29.4. Choose another version, or upgrade the cluster to Kubernetes 1.30 or later first.",
    )
    expect(checkInstallable(pin('1.3.0', { kubernetesVersion: '1.30.0' }), catalog)).toEqual([])
    expect(checkInstallable(pin('1.4.0', { kubernetesVersion: '1.29.4' }), catalog)).toEqual([])
    // No reported Kubernetes version: nothing to compare, as for the type's own minimum.
    expect(checkInstallable(pin('1.3.0', { kubernetesVersion: null }), catalog)).toEqual([])
  })

  it('refuse a pinned version that excludes the cluster’s architecture, in any spelling', () => {
    expect(checkInstallable(pin('1.1.6', { architecture: 'aarch64' }), catalog)).toEqual([
      expect.objectContaining({
        rule: 'ArchitectureNotSupported',
        target: 'properties.version',
        message: "Version '1.1.6' of extension type 'contoso.store' does not support the cluster's 'arm64' architecture. Choose another version.",
      }),
    ])
    expect(checkInstallable(pin('1.2.1', { architecture: 'arm64' }), catalog)).toEqual([])
  })

  it("leave those versions out of a cluster's compatible versions, and let the type's minimum still apply", () => {
    expect(compatibleVersions(spec, cluster({ kubernetesVersion: '1.29.0' }), undefined, catalog)).toEqual([{ releaseTrain: 'Stable', versions: ['1.4.0', '1.2.1', '1.1.6'] }])
    expect(compatibleVersions(spec, cluster({ architecture: 'arm64' }), undefined, catalog)).toEqual([{ releaseTrain: 'Stable', versions: ['1.4.0', '1.3.0', '1.2.1'] }])
    expect(compatibleVersions(spec, cluster({ kubernetesVersion: '1.26.0' }), undefined, catalog)).toEqual([])
  })

  it("take the stricter of the type's and the version's minimum", () => {
    const entry = (v: string) => findReleaseTrain(spec, 'Stable')!.versions.find((x) => x.version === v)
    expect(minKubernetesVersionOf(spec, entry('1.3.0'))).toBe('1.30')
    expect(minKubernetesVersionOf(spec, entry('1.4.0'))).toBe('1.27')
    expect(minKubernetesVersionOf({ ...spec, minKubernetesVersion: '1.31' }, entry('1.3.0'))).toBe('1.31')
    expect(minKubernetesVersionOf({ ...spec, minKubernetesVersion: null }, entry('1.4.0'))).toBeNull()
  })

  it('are checked when the catalog loads', () => {
    const problems = problemsOf(catalogWith(typeJson('contoso.store', { releaseTrains: stable(version('1.3.0', { minKubernetesVersion: 'v1.30', unsupportedArchitectures: ['ARM64'] })) })))
    expect(problems).toEqual([
      'types[0].releaseTrains[0].versions[0].minKubernetesVersion: "v1.30" is not a Kubernetes version such as "1.30"',
      'types[0].releaseTrains[0].versions[0].unsupportedArchitectures[0]: "ARM64" is not a lower-case architecture such as "arm64"',
    ])
  })
})

describe('retirement dates', () => {
  const catalog = validateCatalog(catalogWith(typeJson('contoso.mesh', { displayName: 'Contoso Mesh', retiresOn: '2027-09-30', preview: true }), typeJson('contoso.kept')))
  const mesh = catalog.findType('contoso.mesh')!

  it('give installed extensions a warning before the date, counting the days left', () => {
    expect(retirementStatusFor(mesh, new Date('2027-09-28T12:00:00Z'))).toEqual({
      code: 'ExtensionTypeRetiring',
      displayStatus: 'Retiring',
      level: 'Warning',
      message: 'Contoso Mesh (contoso.mesh) retires on 2027-09-30 (in 2 days); it is not supported after that date. Plan the migration to its replacement.',
    })
  })

  it('say retired from the date on', () => {
    expect(retirementStatusFor(mesh, new Date('2027-09-30T00:00:00Z'))).toMatchObject({ code: 'ExtensionTypeRetired', displayStatus: 'Retired', level: 'Warning' })
  })

  it('join the preview warning in the advisory statuses; types without a date get none', () => {
    const now = new Date('2026-12-06T00:00:00Z')
    expect(advisoryStatusesFor(mesh, now).map((s) => s.code)).toEqual(['PreviewExtensionType', 'ExtensionTypeRetiring'])
    expect(advisoryStatusesFor(catalog.findType('contoso.kept')!, now)).toEqual([])
  })

  it('must be real calendar days', () => {
    expect(problemsOf(catalogWith(typeJson('contoso.mesh', { retiresOn: '2027-02-30' })))).toEqual(['types[0].retiresOn: "2027-02-30" is not a real calendar date'])
    expect(problemsOf(catalogWith(typeJson('contoso.mesh', { retiresOn: '2027-09' })))).toEqual(['types[0].retiresOn: "2027-09" is not a date as YYYY-MM-DD'])
  })
})

describe('the shipped catalog', () => {
  const shipped = loadCatalog(shippedCatalogFile())
  const type = (name: string) => {
    const spec = shipped.findType(name)
    if (!spec) throw new Error(`${name} is not in the shipped catalog`)
    return spec
  }

  it('resolves the legacy name of Container insights and has the Preview train the upstream examples use, with its source', () => {
    const monitor = type('azuremonitor-containers')
    expect(monitor.type).toBe('microsoft.azuremonitor.containers')
    const preview = findReleaseTrain(monitor, 'Preview')
    expect(preview?.versions.map((v) => v.version)).toEqual(['0.1.4'])
    expect(preview?.versions[0]?.source).toMatch(/x-ms-examples.*github\.com\/Azure\/azure-rest-api-specs/s)
  })

  it("lists the marketplace type of the plan examples with the examples' plan", () => {
    expect(type('azure-vote')).toMatchObject({
      planInfo: { publisherId: 'Microsoft', offerId: 'azure-vote-standard-offer-id', planId: 'azure-vote-standard' },
      releaseTrains: [{ name: 'Preview', versions: [{ version: '0.1.4' }] }],
    })
  })

  it('knows API Management by its Azure name on the preview train, and by its old name', () => {
    const gateway = type('Microsoft.ApiManagement.Gateway')
    expect(gateway.type).toBe('microsoft.apimanagement.gateway')
    expect(type('microsoft.apimanagement')).toBe(gateway)
    expect(gateway.releaseTrains.map((t) => t.name)).toEqual(['preview'])
  })

  it('installs API Management from its preview train when a request names no train (the default "Stable")', () => {
    const gateway = type('microsoft.apimanagement')
    expect(findReleaseTrain(gateway, 'Stable')?.name).toBe('preview')
    const request = installRequest('microsoft.apimanagement', { scope: { kind: 'namespace', targetNamespace: 'apim' } })
    expect(checkInstallable(request, shipped)).toEqual([])
    // A type that has a Stable train keeps the usual meaning, and other unknown names stay unknown.
    expect(findReleaseTrain(type('microsoft.azuremonitor.containers'), 'stable')?.name).toBe('Stable')
    expect(rulesOf(checkInstallable({ ...request, releaseTrain: 'nightly' }, shipped))).toEqual(['UnknownReleaseTrain'])
  })

  it('has Dapr on its stable train with an N-1 window, and no invented Preview train', () => {
    const dapr = type('microsoft.dapr')
    expect(dapr.releaseTrains.map((t) => t.name)).toEqual(['stable'])
    expect(dapr.supportPolicy).toEqual({ kind: 'latestMinus', n: 1 })
    const stable = findReleaseTrain(dapr, 'Stable')!
    expect(supportedVersions(dapr, stable)).toEqual(
      stable.versions
        .map((v) => v.version)
        .sort((a, b) => compareSemver(b, a))
        .slice(0, 2),
    )
  })

  it('lists the Secret Store versions its release notes show, 1.3.0 with the Kubernetes 1.30 it needed', () => {
    const store = type('microsoft.azure.secretstore')
    const versions = findReleaseTrain(store, 'Stable')!.versions
    expect(versions.map((v) => v.version)).toEqual(['1.5.5', '1.5.3', '1.5.2', '1.5.1', '1.5.0', '1.4.1', '1.4.0', '1.3.0', '1.2.2', '1.2.1', '1.1.6', '1.1.5', '1.0.2', '0.10.0', '0.9.6'])
    expect(versions.filter((v) => v.minKubernetesVersion).map((v) => [v.version, v.minKubernetesVersion])).toEqual([['1.3.0', '1.30']])
    // ARM64 support arrived in 1.2.1.
    expect(versions.filter((v) => v.unsupportedArchitectures?.includes('arm64')).map((v) => v.version)).toEqual(['1.1.6', '1.1.5', '1.0.2', '0.10.0', '0.9.6'])
    const on129 = installRequest('microsoft.azure.secretstore', { autoUpgradeMinorVersion: false, version: '1.3.0', cluster: cluster({ kubernetesVersion: '1.29.2' }) })
    expect(rulesOf(checkInstallable(on129, shipped))).toEqual(['KubernetesVersionTooLow'])
    expect(checkInstallable({ ...on129, version: '1.4.0' }, shipped)).toEqual([])
  })

  it("lists Flux's releases up to 1.23.0, which needs 1.21.0 first, with an N-2 window computed from them", () => {
    const flux = type('microsoft.flux')
    const train = findReleaseTrain(flux, 'Stable')!
    expect(train.versions.map((v) => v.version)).toEqual(['1.23.0', '1.22.2', '1.22.1', '1.21.1', '1.21.0', '1.20.4', '1.19.5', '1.17.3', '1.17.2', '1.16.12', '1.16.2', '1.15.1', '1.14.1'])
    expect(flux.supportPolicy).toEqual({ kind: 'latestMinus', n: 2 })
    expect(supportedVersions(flux, train)).toEqual(['1.23.0', '1.22.2', '1.22.1'])
    const newest = train.versions[0]!
    expect(newest).toMatchObject({ upgradeFrom: '1.21.0', components: { flux: 'v2.7.5' } })
    expect(newest.breakingChanges?.join(' ')).toContain('helm.toolkit.fluxcd.io/v2beta1')
    const update = installRequest('microsoft.flux', { autoUpgradeMinorVersion: false, version: '1.23.0', installedVersion: '1.20.4' })
    expect(checkInstallable(update, shipped).map((v) => v.message)).toEqual([
      "Version '1.23.0' of extension type 'microsoft.flux' can only be installed over version 1.21.0 or later, but the extension runs 1.20.4. Update to version '1.22.2' first, then to '1.23.0'.",
    ])
    expect(newestAutoUpgradeTarget(flux, 'Stable', '1.19.5')).toBe('1.22.2')
    expect(newestAutoUpgradeTarget(flux, 'Stable', '1.22.2')).toBe('1.23.0')
  })

  it('asks Kubernetes 1.27 for Azure Policy, as its page does for every distribution it lists', () => {
    const policy = type('microsoft.policyinsights')
    expect(policy.minKubernetesVersion).toBe('1.27')
    expect(rulesOf(checkInstallable(installRequest('microsoft.policyinsights', { cluster: cluster({ kubernetesVersion: '1.26.9' }) }), shipped))).toEqual(['KubernetesVersionTooLow'])
  })

  it('lists the Container Apps releases to 1.37.1 and keeps it off arm64', () => {
    const aca = type('microsoft.app.environment')
    expect(
      findReleaseTrain(aca, 'Stable')!
        .versions.map((v) => v.version)
        .slice(0, 5),
    ).toEqual(['1.37.1', '1.36.15', '1.30.6', '1.23.5', '1.17.8'])
    expect(aca.unsupportedArchitectures).toEqual(['arm64'])
  })

  it('names its own source on every version of the refreshed types, with the date the source states', () => {
    for (const name of ['microsoft.flux']) {
      for (const v of findReleaseTrain(type(name), 'Stable')!.versions) expect(v.source, `${name} ${v.version}`).toMatch(/https:\/\/learn\.microsoft\.com\/\S+.*(20\d\d-\d\d-\d\d)/)
    }
    for (const [name, added] of [
      ['microsoft.azure.secretstore', ['1.5.5', '1.3.0']],
      ['microsoft.app.environment', ['1.37.1', '1.36.15', '1.30.6', '1.23.5']],
    ] as const) {
      const train = findReleaseTrain(type(name), 'Stable')!
      for (const v of added) expect(train.versions.find((x) => x.version === v)?.source, `${name} ${v}`).toMatch(/https:\/\/learn\.microsoft\.com\/\S+.*(20\d\d-\d\d-\d\d)/)
    }
  })

  it('dates the Open Service Mesh and Key Vault Secrets Provider retirements', () => {
    expect(type('microsoft.openservicemesh').retiresOn).toBe('2027-09-30')
    expect(type('microsoft.azurekeyvaultsecretsprovider').retiresOn).toBe('2027-10-09')
    expect(shipped.types.filter((t) => t.retiresOn !== null).map((t) => t.type)).toEqual(['microsoft.azurekeyvaultsecretsprovider', 'microsoft.openservicemesh'])
    expect(retirementStatusFor(type('microsoft.openservicemesh'), new Date('2026-12-06T00:00:00Z'))?.code).toBe('ExtensionTypeRetiring')
  })

  it('says where every version came from, on the type or on the version', () => {
    for (const spec of shipped.types) {
      for (const train of spec.releaseTrains) for (const v of train.versions) expect(v.source ?? spec.source, `${spec.type} ${v.version}`).toMatch(/https:\/\/\S+/)
    }
  })
})
