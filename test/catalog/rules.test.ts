import { describe, expect, it } from 'vitest'
import type { RuleName } from '../../core/catalog/rules.js'
import { checkDistribution, checkInstallable, compatibleTypes, compatibleVersions, newestAutoUpgradeTarget, previewStatusFor, resolveVersion } from '../../core/catalog/rules.js'
import { validateCatalog } from '../../core/catalog/schema.js'
import type { ExtensionTypeSpec } from '../../core/catalog/catalog-types.js'
import type { ClusterFacts } from '../../core/domain/model.js'
import { cluster, installRequest, minimalCatalogJson, typeJson } from './fixtures.js'
import { SEED, seedCatalog } from './seed.js'

const catalog = seedCatalog()
const spec = (type: string): ExtensionTypeSpec => {
  const found = catalog.findType(type)
  if (!found) throw new Error(`${type} missing from the shipped catalog`)
  return found
}
const rulesOf = (violations: { rule: RuleName }[]) => violations.map((v) => v.rule)
/** Two release trains that share no version, so train rules are checked without depending on which shipped types have a second train. */
const twoTrains = validateCatalog({
  ...minimalCatalogJson(),
  types: [
    typeJson('example.trains', {
      releaseTrains: [
        { name: 'Stable', versions: ['1.1.0', '1.2.0'].map((version) => ({ version, releasedOn: null, notes: [] })) },
        { name: 'Preview', versions: ['1.3.0-rc.1', '1.3.0-rc.2'].map((version) => ({ version, releasedOn: null, notes: [] })) },
      ],
    }),
  ],
})
const trainsSpec = twoTrains.findType('example.trains') as ExtensionTypeSpec
/** A scope each type accepts, so rows about other rules do not trip the scope rule. */
const validScope = (type: string) => (spec(type).scope === 'namespace' ? { kind: 'namespace' as const, targetNamespace: 'gateway' } : null)

describe('every seed type installs on a compatible cluster', () => {
  it.each(SEED)('$type', ({ type, distributions }) => {
    const distribution = distributions === 'any' ? null : (distributions[0] as string)
    expect(checkInstallable(installRequest(type, { cluster: cluster({ distribution }), scope: validScope(type) }), catalog)).toEqual([])
  })
})

describe('supported distributions (one row per seed constraint)', () => {
  const knownIds = catalog.distributions.map((d) => d.id)
  const rows = SEED.flatMap(({ type, distributions }) => {
    const allowed = distributions === 'any' ? [...knownIds, null, 'a-distribution-nobody-knows'] : distributions
    const refused = distributions === 'any' ? [] : [...knownIds.filter((id) => !distributions.includes(id)), null, 'a-distribution-nobody-knows']
    return [
      ...allowed.map((distribution) => ({ type, distribution, expected: [] as RuleName[] })),
      ...refused.map((distribution) => ({ type, distribution, expected: ['DistributionNotSupported'] as RuleName[] })),
    ]
  })

  it.each(rows)('$type on $distribution → $expected', ({ type, distribution, expected }) => {
    const request = installRequest(type, { cluster: cluster({ distribution }), scope: validScope(type) })
    expect(rulesOf(checkInstallable(request, catalog))).toEqual(expected)
  })

  it.each([
    ['microsoft.containerregistry.connectedregistry', 'aks_edge_k3s', 'AKS Edge Essentials reports aks_edge_k3s, an alias of aks_arc'],
    ['microsoft.azuredefender.kubernetes', 'rke', 'rke is an alias of rancher_rke'],
    ['microsoft.eventgrid', 'AKS', 'distribution values match case-insensitively'],
    ['microsoft.arcdataservices', 'aks_workload', 'AKS hybrid workload clusters are AKS on Azure Local'],
  ])('%s accepts %s (%s)', (type, distribution) => {
    expect(checkInstallable(installRequest(type, { cluster: cluster({ distribution }) }), catalog)).toEqual([])
  })

  it('takes a managedClusters parent that reports no distribution to be AKS', () => {
    const eventGrid = spec('microsoft.eventgrid')
    expect(checkDistribution(catalog, eventGrid, cluster({ distribution: null }), 'managedClusters')).toBeNull()
    expect(checkDistribution(catalog, eventGrid, cluster({ distribution: null }), 'connectedClusters')?.rule).toBe('DistributionNotSupported')
  })

  it('names the reported distribution and the allowed ones', () => {
    const [violation] = checkInstallable(installRequest('microsoft.eventgrid', { cluster: cluster({ distribution: 'gke' }) }), catalog)
    expect(violation).toEqual({
      rule: 'DistributionNotSupported',
      status: 400,
      target: 'properties.extensionType',
      message: "Extension type 'microsoft.eventgrid' does not support the cluster's distribution 'gke' (Google Kubernetes Engine (GKE)). Supported distributions: aks, openshift.",
    })
    const [unknown] = checkInstallable(installRequest('microsoft.eventgrid'), catalog)
    expect(unknown?.message).toMatch(/reports none, so it is treated as 'generic'/)
  })
})

describe('cluster facts', () => {
  const rows: { name: string; type: string; facts: Partial<ClusterFacts>; expected: RuleName[] }[] = [
    { name: 'Secret Store on Kubernetes 1.27.0', type: 'microsoft.azure.secretstore', facts: { kubernetesVersion: '1.27.0' }, expected: [] },
    { name: 'Secret Store on v1.29.3', type: 'microsoft.azure.secretstore', facts: { kubernetesVersion: 'v1.29.3' }, expected: [] },
    { name: 'Secret Store on a GKE-style 1.30.2-gke.1587003', type: 'microsoft.azure.secretstore', facts: { kubernetesVersion: '1.30.2-gke.1587003' }, expected: [] },
    { name: 'Secret Store on 1.26.9', type: 'microsoft.azure.secretstore', facts: { kubernetesVersion: '1.26.9' }, expected: ['KubernetesVersionTooLow'] },
    { name: 'Secret Store on k3s v1.26.15+k3s1', type: 'microsoft.azure.secretstore', facts: { kubernetesVersion: 'v1.26.15+k3s1' }, expected: ['KubernetesVersionTooLow'] },
    { name: 'Secret Store with no reported version', type: 'microsoft.azure.secretstore', facts: { kubernetesVersion: null }, expected: [] },
    { name: 'Flux on 1.20 (no floor)', type: 'microsoft.flux', facts: { kubernetesVersion: '1.20.0' }, expected: [] },
    { name: 'Azure ML on amd64', type: 'microsoft.azureml.kubernetes', facts: { architecture: 'amd64' }, expected: [] },
    { name: 'Azure ML on arm64', type: 'microsoft.azureml.kubernetes', facts: { architecture: 'arm64' }, expected: ['ArchitectureNotSupported'] },
    { name: 'Azure ML on aarch64', type: 'microsoft.azureml.kubernetes', facts: { architecture: 'aarch64' }, expected: ['ArchitectureNotSupported'] },
    { name: 'Azure ML on ARM64', type: 'microsoft.azureml.kubernetes', facts: { architecture: 'ARM64' }, expected: ['ArchitectureNotSupported'] },
    { name: 'Azure ML with no reported architecture', type: 'microsoft.azureml.kubernetes', facts: { architecture: null }, expected: [] },
    { name: 'Flux on arm64', type: 'microsoft.flux', facts: { architecture: 'arm64' }, expected: [] },
  ]

  it.each(rows)('$name → $expected', ({ type, facts, expected }) => {
    expect(rulesOf(checkInstallable(installRequest(type, { cluster: cluster(facts) }), catalog))).toEqual(expected)
  })

  it('explains the Kubernetes floor', () => {
    const [violation] = checkInstallable(installRequest('microsoft.azure.secretstore', { cluster: cluster({ kubernetesVersion: '1.26.9' }) }), catalog)
    expect(violation?.message).toBe(
      "Extension type 'microsoft.azure.secretstore' requires Kubernetes 1.27 or later, but the cluster runs 1.26.9. Upgrade the cluster to Kubernetes 1.27 or later first.",
    )
  })

  it.each([
    ['microsoft.flux', 'managedClusters', []],
    ['microsoft.flux', 'MANAGEDCLUSTERS', []],
    ['microsoft.openservicemesh', 'managedClusters', ['ClusterTypeNotSupported']],
    ['microsoft.openservicemesh', 'connectedClusters', []],
  ] as const)('%s under %s', (type, clusterType, expected) => {
    const request = installRequest(type, { clusterType, cluster: cluster({ distribution: 'aks' }) })
    expect(rulesOf(checkInstallable(request, catalog))).toEqual(expected)
  })
})

describe('coexistence', () => {
  const appsvc = { extensionType: 'microsoft.web.appservice', name: 'appsvc' }
  const containerApps = { extensionType: 'Microsoft.App.Environment', name: 'aca' }

  it('refuses Container Apps while the Application services extension is installed, naming what to remove', () => {
    const request = installRequest('microsoft.app.environment', { cluster: cluster({ distribution: 'aks' }), installedTypes: [appsvc] })
    expect(checkInstallable(request, catalog)).toEqual([
      {
        rule: 'ConflictingExtension',
        status: 409,
        target: 'properties.extensionType',
        message: "Extension type 'microsoft.app.environment' cannot be installed on the same cluster as extension 'appsvc' (microsoft.web.appservice). Delete extension 'appsvc' first, then retry.",
      },
    ])
  })

  it.each([
    ['Container Apps with nothing installed', 'microsoft.app.environment', [], []],
    ['Container Apps next to Flux', 'microsoft.app.environment', [{ extensionType: 'microsoft.flux', name: 'flux' }], []],
    ['Application services while Container Apps is installed', 'microsoft.web.appservice', [containerApps], ['ConflictingExtension']],
    ['a second Flux', 'microsoft.flux', [{ extensionType: 'microsoft.flux', name: 'flux' }], ['MultipleInstancesNotAllowed']],
    ['a second API Management gateway (namespace-scoped)', 'microsoft.apimanagement', [{ extensionType: 'microsoft.apimanagement', name: 'gw1' }], []],
  ] as const)('%s', (_name, type, installedTypes, expected) => {
    const request = installRequest(type, { cluster: cluster({ distribution: 'aks' }), installedTypes: [...installedTypes], scope: validScope(type) })
    const violations = checkInstallable(request, catalog)
    expect(rulesOf(violations)).toEqual(expected)
    for (const v of violations) expect(v.status).toBe(409)
  })

  it('ignores the extension being updated when it appears in installedTypes', () => {
    const request = installRequest('microsoft.flux', { extensionName: 'Flux', installedTypes: [{ extensionType: 'microsoft.flux', name: 'flux' }] })
    expect(checkInstallable(request, catalog)).toEqual([])
  })
})

describe('scope', () => {
  it.each([
    ['microsoft.apimanagement', null, 'properties.scope'],
    ['microsoft.apimanagement', { kind: 'cluster', releaseNamespace: null }, 'properties.scope'],
    ['microsoft.apimanagement', { kind: 'namespace', targetNamespace: null }, 'properties.scope.namespace.targetNamespace'],
    ['microsoft.apimanagement', { kind: 'namespace', targetNamespace: ' ' }, 'properties.scope.namespace.targetNamespace'],
    ['microsoft.apimanagement', { kind: 'namespace', targetNamespace: 'gateway' }, null],
    ['microsoft.flux', { kind: 'namespace', targetNamespace: 'flux' }, 'properties.scope'],
    ['microsoft.flux', { kind: 'cluster', releaseNamespace: 'flux-system' }, null],
    ['microsoft.flux', null, null],
  ] as const)('%s with %j → %s', (type, scope, target) => {
    const violations = checkInstallable(installRequest(type, { scope }), catalog)
    expect(violations.map((v) => v.target)).toEqual(target ? [target] : [])
    expect(rulesOf(violations)).toEqual(target ? ['InvalidScope'] : [])
  })

  it('tells the caller what to set', () => {
    const [violation] = checkInstallable(installRequest('microsoft.apimanagement'), catalog)
    expect(violation?.message).toBe("Extension type 'microsoft.apimanagement' is namespace-scoped: set properties.scope.namespace.targetNamespace to the namespace to install into.")
  })
})

describe('release train and version', () => {
  const rows: { name: string; type?: string; autoUpgrade?: boolean; train?: string; version: string | null; expected: RuleName[] }[] = [
    { name: 'auto-upgrade without a version', autoUpgrade: true, version: null, expected: [] },
    { name: 'a version while auto-upgrade is on', autoUpgrade: true, version: '1.16.2', expected: ['VersionWithAutoUpgrade'] },
    { name: 'a pinned latest version', version: '1.16.2', expected: [] },
    { name: 'the N-1 version', version: '1.15.1', expected: [] },
    { name: 'the N-2 version', version: '1.14.1', expected: [] },
    { name: 'a version older than N-2', version: '1.13.1', expected: ['VersionNotSupported'] },
    { name: 'a version that does not exist', version: '1.99.0', expected: ['UnknownVersion'] },
    { name: 'a version with a leading zero', version: '1.0.029903', expected: ['InvalidVersion'] },
    { name: 'a v-prefixed version', version: 'v1.16.2', expected: ['InvalidVersion'] },
    { name: 'a two-part version', version: '1.16', expected: ['InvalidVersion'] },
    { name: 'a lower-case train name', train: 'stable', version: '1.16.2', expected: [] },
    { name: 'an upper-case train name', train: 'STABLE', version: null, expected: [] },
    { name: 'an unknown train', train: 'Beta', version: null, expected: ['UnknownReleaseTrain'] },
    { name: 'an unknown train and a pinned version', train: 'Beta', version: '1.16.2', expected: ['UnknownReleaseTrain'] },
    { name: 'an old version where every version is supported', type: 'microsoft.dapr', version: '1.13.6-msft.1', expected: [] },
  ]

  it.each(rows)('$name → $expected', ({ type = 'microsoft.flux', autoUpgrade = false, train = 'Stable', version, expected }) => {
    const request = installRequest(type, { autoUpgradeMinorVersion: autoUpgrade, releaseTrain: train, version })
    expect(rulesOf(checkInstallable(request, catalog))).toEqual(expected)
  })

  it.each([
    ['a Preview-train version', 'preview', '1.3.0-rc.2', []],
    ['a Stable version on the Preview train', 'Preview', '1.2.0', ['UnknownVersion']],
    ['a Preview version on the Stable train', 'stable', '1.3.0-rc.1', ['UnknownVersion']],
  ] as const)('%s → %j', (_name, train, version, expected) => {
    const request = installRequest('example.trains', { autoUpgradeMinorVersion: false, releaseTrain: train, version })
    expect(rulesOf(checkInstallable(request, twoTrains))).toEqual(expected)
  })

  it('explains the N-2 window with the versions that are still supported', () => {
    const [violation] = checkInstallable(installRequest('microsoft.flux', { autoUpgradeMinorVersion: false, version: '1.13.1' }), catalog)
    expect(violation).toEqual({
      rule: 'VersionNotSupported',
      status: 400,
      target: 'properties.version',
      message:
        "Version '1.13.1' of extension type 'microsoft.flux' is no longer supported on release train 'Stable': only the latest version and the 2 before it (N-2) are supported. Supported versions: 1.16.2, 1.15.1, 1.14.1.",
    })
  })

  it('lists the release trains that exist', () => {
    const [violation] = checkInstallable(installRequest('microsoft.dapr', { releaseTrain: 'nightly' }), catalog)
    expect(violation?.message).toBe("Release train 'nightly' does not exist for extension type 'microsoft.dapr'. Available release trains: Stable, Preview.")
    expect(violation?.target).toBe('properties.releaseTrain')
  })
})

describe('checkInstallable', () => {
  it('stops at an unknown extension type, listing the available ones', () => {
    const violations = checkInstallable(installRequest('microsoft.nothing', { version: 'bad' }), catalog)
    expect(rulesOf(violations)).toEqual(['UnknownExtensionType'])
    expect(violations[0]?.message).toMatch(/^Extension type 'microsoft.nothing' is not available\. Available extension types: microsoft\.azuremonitor\.containers, /)
  })

  it('finds extension types case-insensitively', () => {
    expect(checkInstallable(installRequest('Microsoft.Flux'), catalog)).toEqual([])
  })

  it('reports every violation in a stable order', () => {
    const request = installRequest('microsoft.azureml.kubernetes', {
      clusterType: 'appliances',
      cluster: cluster({ architecture: 'arm64' }),
      scope: { kind: 'namespace', targetNamespace: 'ml' },
      installedTypes: [{ extensionType: 'microsoft.azureml.kubernetes', name: 'ml' }],
      autoUpgradeMinorVersion: true,
      version: '01.0.0',
      releaseTrain: 'Nightly',
    })
    expect(rulesOf(checkInstallable(request, catalog))).toEqual([
      'ClusterTypeNotSupported',
      'ArchitectureNotSupported',
      'InvalidScope',
      'MultipleInstancesNotAllowed',
      'VersionWithAutoUpgrade',
      'InvalidVersion',
      'UnknownReleaseTrain',
    ])
  })
})

describe('a catalog that forces the extension name', () => {
  const forced = validateCatalog({ ...minimalCatalogJson(), types: [typeJson('example.one', { singletonName: 'one' })] })

  it.each([
    ['one', []],
    ['ONE', []],
    ['other', ['ExtensionNameNotAllowed']],
  ] as const)('name %s → %j', (extensionName, expected) => {
    const violations = checkInstallable(installRequest('example.one', { extensionName }), forced)
    expect(rulesOf(violations)).toEqual(expected)
    if (violations[0]) expect(violations[0].target).toBe('name')
  })
})

describe('resolveVersion', () => {
  it.each([
    ['microsoft.flux', 'Stable', null, '1.16.2'],
    ['microsoft.flux', 'stable', '1.15.1', '1.15.1'],
    ['microsoft.dapr', 'Stable', null, '1.15.4-msft.1'],
    ['microsoft.dapr', 'preview', null, '1.16.0-rc.2'],
  ])('%s on %s pinned to %s → %s', (type, train, pinned, expected) => {
    expect(resolveVersion(spec(type), train, pinned)).toBe(expected)
  })

  it('takes the newest version of the requested train, not of the type', () => {
    expect(resolveVersion(trainsSpec, 'Preview', null)).toBe('1.3.0-rc.2')
    expect(resolveVersion(trainsSpec, 'stable', null)).toBe('1.2.0')
  })

  it('throws on an unknown train (callers run checkInstallable first)', () => {
    expect(() => resolveVersion(spec('microsoft.flux'), 'Beta', null)).toThrow(/Release train 'Beta' does not exist/)
  })
})

describe('newestAutoUpgradeTarget', () => {
  const twoMajors = validateCatalog({
    ...minimalCatalogJson(),
    types: [
      typeJson('example.one', {
        releaseTrains: [{ name: 'Stable', versions: ['1.2.0', '1.5.0', '1.4.3', '2.0.0', '2.1.0'].map((version) => ({ version, releasedOn: null, notes: [] })) }],
      }),
    ],
  }).findType('example.one') as ExtensionTypeSpec

  it.each([
    [spec('microsoft.flux'), '1.14.1', '1.16.2'],
    [spec('microsoft.flux'), '1.13.1', '1.16.2'],
    [spec('microsoft.flux'), '1.16.2', null],
    [spec('microsoft.dapr'), '1.14.4-msft.9', '1.15.4-msft.1'],
    [twoMajors, '1.2.0', '1.5.0'],
    [twoMajors, '1.5.0', null],
    [twoMajors, '2.0.0', '2.1.0'],
    [spec('microsoft.flux'), 'not-a-version', null],
  ] as const)('%#: from %s → %s', (type, current, expected) => {
    expect(newestAutoUpgradeTarget(type, 'stable', current)).toBe(expected)
  })

  it('returns null for an unknown train', () => {
    expect(newestAutoUpgradeTarget(spec('microsoft.flux'), 'Beta', '1.14.1')).toBeNull()
  })
})

describe('previewStatusFor', () => {
  it.each(SEED)('$type preview=$preview', ({ type, preview }) => {
    const status = previewStatusFor(spec(type))
    if (!preview) return expect(status).toBeNull()
    expect(status).toEqual({ code: 'PreviewExtensionType', displayStatus: 'Preview', level: 'Warning', message: expect.stringContaining(`(${type}) is in preview`) })
  })
})

describe('compatibleVersions and compatibleTypes', () => {
  it('lists only versions inside the support window', () => {
    expect(compatibleVersions('microsoft.flux', cluster(), undefined, catalog)).toEqual([{ releaseTrain: 'Stable', versions: ['1.16.2', '1.15.1', '1.14.1'] }])
  })

  it('filters by release train, case-insensitively', () => {
    expect(compatibleVersions(trainsSpec, cluster(), 'preview', twoTrains)).toEqual([{ releaseTrain: 'Preview', versions: ['1.3.0-rc.2', '1.3.0-rc.1'] }])
    expect(compatibleVersions(trainsSpec, cluster(), 'nightly', twoTrains)).toEqual([])
  })

  it('is empty when the cluster cannot run the type', () => {
    expect(compatibleVersions('microsoft.azureml.kubernetes', cluster({ architecture: 'arm64' }), undefined, catalog)).toEqual([])
    expect(compatibleVersions('microsoft.unknown', cluster(), undefined, catalog)).toEqual([])
  })

  it('lists the types a GKE arm64 cluster on Kubernetes 1.26 can run', () => {
    const facts = cluster({ distribution: 'gke', architecture: 'arm64', kubernetesVersion: '1.26.5' })
    expect(
      compatibleTypes(catalog, facts)
        .map((t) => t.type)
        .sort(),
    ).toEqual(
      [
        'microsoft.azuremonitor.containers',
        'microsoft.policyinsights',
        'microsoft.azurekeyvaultsecretsprovider',
        'microsoft.azuredefender.kubernetes',
        'microsoft.openservicemesh',
        'microsoft.arcdataservices',
        'microsoft.app.environment',
        'microsoft.apimanagement',
        'microsoft.flux',
        'microsoft.dapr',
        'microsoft.videoindexer',
        'microsoft.arc.containerstorage',
        'microsoft.web.appservice',
      ].sort(),
    )
  })
})
