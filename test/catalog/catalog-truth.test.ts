// The catalog features issue #16 adds, each against a small catalog built for it: aliases (legacy and renamed names),
// marketplace types (planInfo), upgrade-from minimums and retirement dates. Then the shipped catalog's own entries
// for them, so the data the upstream examples and the refresh rely on cannot drift unnoticed.
import { describe, expect, it } from 'vitest'
import { loadCatalog, shippedCatalogFile } from '../../core/catalog/catalog.js'
import { findReleaseTrain, supportedVersions } from '../../core/catalog/release-trains.js'
import { compareSemver } from '../../core/catalog/semver.js'
import { advisoryStatusesFor, checkInstallable, newestAutoUpgradeTarget, retirementStatusFor } from '../../core/catalog/rules.js'
import { validateCatalog } from '../../core/catalog/schema.js'
import { installRequest, minimalCatalogJson, typeJson, problemsOf } from './fixtures.js'

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

  it('keeps the Secret Store versions its release notes show (1.5.2, 1.5.3)', () => {
    const versions = findReleaseTrain(type('microsoft.azure.secretstore'), 'Stable')?.versions.map((v) => v.version)
    expect(versions).toEqual(expect.arrayContaining(['1.5.3', '1.5.2']))
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
