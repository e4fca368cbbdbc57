// Issue 18's table, the rows beyond the settings schemas, as pure functions over the shipped catalog: forced and
// limited names, cluster types, forced auto-upgrade, default trains, allow-lists, a single Event Grid, and trains that
// list no sourced version yet.
import { describe, expect, it } from 'vitest'
import { catalogDefaults, checkInstallable, defaultCatalog, type InstallRequest, type RuleViolation } from '../../core/catalog/index.js'
import { cluster, installRequest } from './fixtures.js'

const catalog = defaultCatalog()
const SECRET = 'table-secret-never-echoed'
const aks = cluster({ distribution: 'aks' })

function check(type: string, overrides: Partial<InstallRequest>): RuleViolation[] {
  return checkInstallable(installRequest(type, { protectedSettings: {}, configurationSettings: {}, ...overrides }), catalog)
}
const brief = (violations: RuleViolation[]) => violations.map((v) => [v.rule, v.target])
const spec = (type: string) => catalog.findType(type)!

describe('microsoft.dataprotection.kubernetes', () => {
  const type = 'microsoft.dataprotection.kubernetes'
  const settings = { ...spec(type).settingsRules!.exampleSettings! }
  const base = { cluster: aks, clusterType: 'managedClusters', releaseTrain: 'stable', configurationSettings: settings }

  it('managedClusters only', () => {
    expect(brief(check(type, { ...base, clusterType: 'connectedClusters' }))).toContainEqual(['ClusterTypeNotSupported', 'properties.extensionType'])
  })

  it('requires the four backup storage location settings, naming each', () => {
    expect(brief(check(type, { ...base, configurationSettings: {} })).filter(([rule]) => rule !== 'NoInstallableVersion')).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['configuration.backupStorageLocation.bucket']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['configuration.backupStorageLocation.config.storageAccount']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['configuration.backupStorageLocation.config.resourceGroup']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['configuration.backupStorageLocation.config.subscriptionId']"],
    ])
  })

  it('refuses a key outside its allow-list, listing the allowed ones', () => {
    const [violation] = check(type, { ...base, configurationSettings: { ...settings, blobContainer: 'x' } })
    expect(violation).toMatchObject({ rule: 'InvalidConfigurationSetting', target: "properties.configurationSettings['blobContainer']" })
    expect(violation?.message).toContain('is not a setting this extension type accepts. Allowed keys: configuration.backupStorageLocation.bucket')
  })

  it('forces auto-upgrade on: an omitted value gets it, an explicit false is refused', () => {
    expect(catalogDefaults(spec(type))).toEqual({ autoUpgradeMinorVersion: true })
    const [violation] = check(type, { ...base, autoUpgradeMinorVersion: false })
    expect(violation).toMatchObject({ rule: 'AutoUpgradeNotAllowed', target: 'properties.autoUpgradeMinorVersion', status: 400 })
    expect(violation?.message).toContain('autoUpgradeMinorVersion true')
  })

  it('lists no version (none could be sourced): installs are refused until an operator adds one', () => {
    expect(brief(check(type, base))).toEqual([['NoInstallableVersion', 'properties.releaseTrain']])
  })
})

describe('microsoft.entraworkloadiam', () => {
  const type = 'microsoft.entraworkloadiam'
  const base = { releaseTrain: 'preview', extensionName: 'wiam' }
  const only = (violations: RuleViolation[]) => brief(violations).filter(([rule]) => rule !== 'NoInstallableVersion')

  it('names of at most 20 characters', () => {
    const settings = spec(type).settingsRules!.exampleSettings!
    expect(only(check(type, { ...base, configurationSettings: settings, extensionName: 'a'.repeat(20) }))).toEqual([])
    const [violation] = check(type, { ...base, configurationSettings: settings, extensionName: 'a'.repeat(21) })
    expect(violation).toMatchObject({ rule: 'ExtensionNameNotAllowed', target: 'name' })
    expect(violation?.message).toContain('at most 20 characters')
  })

  it('requires trustdomain, tenantid, and jointoken or localauthority', () => {
    const violations = check(type, { ...base })
    expect(only(violations)).toEqual([
      ['InvalidConfigurationSetting', 'properties.configurationSettings'],
      ['InvalidConfigurationSetting', 'properties.configurationSettings'],
      ['InvalidConfigurationSetting', 'properties.configurationSettings'],
    ])
    expect(violations.map((v) => v.message).join(' ')).toMatch(/trustdomain.*tenantid.*jointoken \(protected\) or localauthority/s)
  })

  it('accepts the join token in the protected settings only', () => {
    const settings = { trustdomain: 'contoso.example', tenantid: '00000000-0000-0000-0000-000000000000' }
    expect(only(check(type, { ...base, configurationSettings: settings, protectedSettings: { jointoken: SECRET } }))).toEqual([])
    const plain = check(type, { ...base, configurationSettings: { ...settings, jointoken: SECRET } })
    expect(brief(plain)).toContainEqual(['InvalidConfigurationSetting', "properties.configurationSettings['jointoken']"])
    expect(plain.find((v) => v.target.endsWith("['jointoken']"))?.message).toContain('configurationProtectedSettings')
    expect(JSON.stringify(plain)).not.toContain(SECRET)
  })

  it('defaults to its preview train', () => {
    expect(catalogDefaults(spec(type))).toEqual({ releaseTrain: 'preview' })
  })
})

describe('microsoft.virtualnodes', () => {
  const type = 'microsoft.virtualnodes'
  const base = { cluster: aks, clusterType: 'managedClusters' }
  const only = (violations: RuleViolation[]) => brief(violations).filter(([rule]) => rule !== 'NoInstallableVersion')

  it('accepts its eight settings, in either map', () => {
    expect(only(check(type, { ...base, configurationSettings: { replicaCount: '2', zones: '1;2' }, protectedSettings: { nodeLabels: 'a=b' } }))).toEqual([])
  })

  it('refuses any other key, in either map, without echoing a value', () => {
    const violations = check(type, { ...base, configurationSettings: { replicaCount: '1', image: 'x' }, protectedSettings: { token: SECRET } })
    expect(only(violations)).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['image']"],
      ['InvalidProtectedSetting', "properties.configurationProtectedSettings['token']"],
    ])
    expect(violations[0]?.message).toContain('Allowed keys: replicaCount, admissionControllerReplicaCount, podAnnotations, nodeSelector, tolerations, affinity, zones, nodeLabels')
    expect(JSON.stringify(violations)).not.toContain(SECRET)
  })

  it('managedClusters only, into vn-system only', () => {
    expect(only(check(type, { ...base, clusterType: 'connectedClusters' }))).toContainEqual(['ClusterTypeNotSupported', 'properties.extensionType'])
    expect(only(check(type, { ...base, scope: { kind: 'cluster', releaseNamespace: 'virtual-nodes' } }))).toEqual([['ReleaseNamespaceNotAllowed', 'properties.scope.cluster.releaseNamespace']])
  })
})

describe('microsoft.chaosstudio', () => {
  const type = 'microsoft.chaosstudio'
  const base = { cluster: aks, clusterType: 'managedClusters', releaseTrain: 'dev', autoUpgradeMinorVersion: false }

  it('installs from dev with auto-upgrade off when the request says neither', () => {
    expect(catalogDefaults(spec(type))).toEqual({ autoUpgradeMinorVersion: false, releaseTrain: 'dev' })
    expect(check(type, base)).toEqual([])
  })

  it('refuses auto-upgrade on, another namespace and other cluster types', () => {
    expect(brief(check(type, { ...base, autoUpgradeMinorVersion: true }))).toEqual([['AutoUpgradeNotAllowed', 'properties.autoUpgradeMinorVersion']])
    expect(brief(check(type, { ...base, scope: { kind: 'cluster', releaseNamespace: 'chaos' } }))).toEqual([['ReleaseNamespaceNotAllowed', 'properties.scope.cluster.releaseNamespace']])
    expect(brief(check(type, { ...base, clusterType: 'connectedClusters' }))).toContainEqual(['ClusterTypeNotSupported', 'properties.extensionType'])
  })
})

describe('microsoft.apimanagement.gateway', () => {
  const type = 'microsoft.apimanagement.gateway'
  const base = { releaseTrain: 'preview', scope: { kind: 'namespace' as const, targetNamespace: 'apim' } }
  const uri = { 'gateway.configuration.uri': 'https://contoso.configuration.azure-api.net' }

  it('needs the configuration endpoint and, protected, the token', () => {
    expect(check(type, { ...base, configurationSettings: uri, protectedSettings: { 'gateway.auth.token': SECRET } })).toEqual([])
    expect(brief(check(type, { ...base }))).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['gateway.configuration.uri']"],
      ['InvalidProtectedSetting', "properties.configurationProtectedSettings['gateway.auth.token']"],
    ])
  })

  it('refuses the token in the plain settings and an unknown service.type', () => {
    const violations = check(type, { ...base, configurationSettings: { ...uri, 'gateway.auth.token': SECRET, 'service.type': 'Ingress' }, protectedSettings: { 'gateway.auth.token': SECRET } })
    expect(brief(violations)).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['service.type']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['gateway.auth.token']"],
    ])
    expect(violations[0]?.message).toContain('LoadBalancer, NodePort, ClusterIP')
    expect(JSON.stringify(violations)).not.toContain(SECRET)
  })

  it('namespace scope only', () => {
    expect(brief(check(type, { ...base, scope: null, configurationSettings: uri, protectedSettings: { 'gateway.auth.token': SECRET } }))).toEqual([['InvalidScope', 'properties.scope']])
  })
})

describe('microsoft.eventgrid', () => {
  it("one instance per cluster, refused in Azure's words", () => {
    const type = 'microsoft.eventgrid'
    const request = { cluster: aks, installedTypes: [{ name: 'eg1', extensionType: 'Microsoft.EventGrid' }], extensionName: 'eg2' }
    const [violation] = check(type, request)
    expect(violation).toMatchObject({ rule: 'MultipleInstancesNotAllowed', status: 409 })
    expect(violation?.message).toMatch(/^Invalid operation - An instance of Event Grid has already been installed on this connected Kubernetes cluster\./)
    expect(violation?.message).toContain("extension 'eg1'")
    expect(check(type, { ...request, extensionName: 'eg1' })).toEqual([])
  })
})

describe('microsoft.dapr', () => {
  it('the extension name is its Helm release name', () => {
    expect(check('microsoft.dapr', { extensionName: 'dapr', releaseTrain: 'stable' })).toEqual([])
    for (const name of ['Dapr', 'dapr_ext', 'd'.repeat(54), '-dapr']) {
      const [violation] = check('microsoft.dapr', { extensionName: name, releaseTrain: 'stable' })
      expect(violation, name).toMatchObject({ rule: 'ExtensionNameNotAllowed', target: 'name' })
      expect(violation?.message).toContain('Helm release name')
    }
  })
})

describe('microsoft.azuredefender.kubernetes', () => {
  it('is named after its type', () => {
    const settings = spec('microsoft.azuredefender.kubernetes').settingsRules!.exampleSettings!
    expect(brief(check('microsoft.azuredefender.kubernetes', { cluster: cluster({ distribution: 'eks' }), configurationSettings: settings, extensionName: 'defender' }))).toEqual([
      ['ExtensionNameNotAllowed', 'name'],
    ])
  })
})
