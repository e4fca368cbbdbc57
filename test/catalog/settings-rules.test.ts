// The per-type settings rules of the shipped catalog (issue 18), as pure functions: each rule refused with its key
// named, valid settings accepted, and a protected value never part of any message.
import { describe, expect, it } from 'vitest'
import { checkInstallable, type InstallRequest, type RuleViolation } from '../../core/catalog/rules.js'
import { defaultCatalog, validateCatalog } from '../../core/catalog/index.js'
import { cluster, installRequest, minimalCatalogJson, typeJson } from './fixtures.js'

const catalog = defaultCatalog()
const WORKSPACE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.OperationalInsights/workspaces/ws1'
const SECRET = 'hunter2-never-echoed'

function check(type: string, configurationSettings: Record<string, string>, protectedSettings: Record<string, string> | null = {}, overrides: Partial<InstallRequest> = {}): RuleViolation[] {
  return checkInstallable(installRequest(type, { configurationSettings, protectedSettings, ...overrides }), catalog)
}
const brief = (violations: RuleViolation[]) => violations.map((v) => [v.rule, v.target])

describe('microsoft.azuremonitor.containers', () => {
  const type = 'microsoft.azuremonitor.containers'

  it('accepts valid settings, a valid proxy and keys it does not know', () => {
    const settings = {
      logAnalyticsWorkspaceResourceID: WORKSPACE,
      'dataCollectionSettings.interval': '30m',
      'dataCollectionSettings.namespaceFilteringMode': 'Include',
      'omsagent.env.clusterName': 'c1',
    }
    expect(check(type, settings, { proxyEndpoint: 'https://user:pwd@proxy.example:3128' })).toEqual([])
    expect(check(type, { 'dataCollectionSettings.interval': '1m' })).toEqual([])
  })

  it.each([
    ['logAnalyticsWorkspaceResourceID', 'not-an-arm-id', 'Log Analytics workspace'],
    ['dataCollectionSettings.interval', '31m', 'from 1 to 30'],
    ['dataCollectionSettings.interval', '0m', 'from 1 to 30'],
    ['dataCollectionSettings.interval', '5', 'from 1 to 30'],
    ['dataCollectionSettings.namespaceFilteringMode', 'off', 'Off, Include, Exclude'],
  ])('refuses %s = %s naming the key and the rule', (key, value, rule) => {
    const [violation, ...rest] = check(type, { [key]: value })
    expect(rest).toEqual([])
    expect(violation).toMatchObject({ rule: 'InvalidConfigurationSetting', status: 400, target: `properties.configurationSettings['${key}']` })
    expect(violation?.message).toContain(`key '${key}'`)
    expect(violation?.message).toContain(rule)
    expect(violation?.message).not.toContain(`'${value}'`)
  })

  it('refuses a malformed protected proxyEndpoint without echoing it', () => {
    const proxy = `ftp://admin:${SECRET}@proxy`
    const violations = check(type, {}, { proxyEndpoint: proxy })
    expect(brief(violations)).toEqual([['InvalidProtectedSetting', "properties.configurationProtectedSettings['proxyEndpoint']"]])
    expect(violations[0]?.message).toContain('http(s)://[user:password@]host:port')
    expect(JSON.stringify(violations)).not.toContain(SECRET)
  })
})

describe('microsoft.dapr', () => {
  it('is installed into dapr-system only', () => {
    expect(check('microsoft.dapr', {}, {}, { scope: { kind: 'cluster', releaseNamespace: 'dapr-system' } })).toEqual([])
    expect(check('microsoft.dapr', {}, {}, { scope: null })).toEqual([])
    const violations = check('microsoft.dapr', {}, {}, { scope: { kind: 'cluster', releaseNamespace: 'my-dapr' } })
    expect(brief(violations)).toEqual([['ReleaseNamespaceNotAllowed', 'properties.scope.cluster.releaseNamespace']])
    expect(violations[0]?.message).toContain("'dapr-system'")
  })

  it('is cluster-scoped only', () => {
    expect(brief(check('microsoft.dapr', {}, {}, { scope: { kind: 'namespace', targetNamespace: 'apps' } }))).toEqual([['InvalidScope', 'properties.scope']])
  })
})

describe('microsoft.azureml.kubernetes', () => {
  const type = 'microsoft.azureml.kubernetes'
  const tls = { sslCname: 'ml.example.com', sslSecret: 'ml-tls' }

  it('accepts training, inference with TLS (in either map), and insecure inference when allowed', () => {
    expect(check(type, { enableTraining: 'true' })).toEqual([])
    expect(check(type, { enableInference: 'True', inferenceRouterServiceType: 'LoadBalancer', internalLoadBalancerProvider: 'azure', ...tls })).toEqual([])
    expect(check(type, { enableInference: 'true', sslCname: 'ml.example.com' }, { sslCertPemFile: SECRET, sslKeyPemFile: SECRET })).toEqual([])
    expect(check(type, { enableInference: 'true', allowInsecureConnections: 'true', inferenceRouterServiceType: 'NodePort' })).toEqual([])
    expect(check(type, {}, { enableTraining: 'true' })).toEqual([])
  })

  it('needs enableTraining or enableInference', () => {
    const violations = check(type, { enableTraining: 'false' })
    expect(brief(violations)).toEqual([['InvalidConfigurationSetting', 'properties.configurationSettings']])
    expect(violations[0]?.message).toContain('enableTraining or enableInference')
  })

  it('needs TLS for inference unless allowInsecureConnections is true', () => {
    const violations = check(type, { enableInference: 'true', sslCname: 'ml.example.com' }, { sslKeyPemFile: SECRET })
    expect(violations.map((v) => v.rule)).toEqual(['InvalidConfigurationSetting'])
    expect(violations[0]?.message).toContain('allowInsecureConnections')
    expect(violations[0]?.message).toContain('sslCname')
    expect(JSON.stringify(violations)).not.toContain(SECRET)
  })

  it('refuses an unknown inferenceRouterServiceType and NodePort with an internal load balancer', () => {
    expect(brief(check(type, { enableTraining: 'true', inferenceRouterServiceType: 'Ingress' }))).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['inferenceRouterServiceType']"],
    ])
    const violations = check(type, { enableTraining: 'true', inferenceRouterServiceType: 'NodePort', internalLoadBalancerProvider: 'azure' })
    expect(violations.map((v) => v.rule)).toEqual(['InvalidConfigurationSetting'])
    expect(violations[0]?.message).toContain('internalLoadBalancerProvider')
  })

  it('refuses a key in both maps, naming the key but not the value', () => {
    const violations = check(type, { enableTraining: 'true', sslSecret: 'a' }, { sslSecret: SECRET })
    expect(brief(violations)).toEqual([['SettingInBothMaps', "properties.configurationProtectedSettings['sslSecret']"]])
    expect(JSON.stringify(violations)).not.toContain(SECRET)
  })

  it('skips the rules that need protected settings it cannot read, and keeps the others', () => {
    expect(check(type, {}, null)).toEqual([])
    expect(brief(check(type, { inferenceRouterServiceType: 'Ingress' }, null))).toEqual([['InvalidConfigurationSetting', "properties.configurationSettings['inferenceRouterServiceType']"]])
  })

  it('is installed into azureml only', () => {
    expect(check(type, { enableTraining: 'true' }, {}, { scope: { kind: 'cluster', releaseNamespace: 'ml' } }).map((v) => v.rule)).toEqual(['ReleaseNamespaceNotAllowed'])
  })
})

describe('microsoft.azuredefender.kubernetes', () => {
  const type = 'microsoft.azuredefender.kubernetes'
  // Defender does not run on generic clusters; EKS is one it lists.
  const named = { extensionName: type, cluster: cluster({ distribution: 'eks' }) }

  it('accepts its own name, mdc and a workspace id', () => {
    expect(check(type, { logAnalyticsWorkspaceResourceID: WORKSPACE }, {}, { ...named, scope: { kind: 'cluster', releaseNamespace: 'mdc' } })).toEqual([])
  })

  it('requires the workspace id, as an ARM id', () => {
    expect(brief(check(type, {}, {}, named))).toEqual([['InvalidConfigurationSetting', "properties.configurationSettings['logAnalyticsWorkspaceResourceID']"]])
    expect(check(type, {}, {}, named)[0]?.message).toContain("key 'logAnalyticsWorkspaceResourceID' is required")
    expect(brief(check(type, { logAnalyticsWorkspaceResourceID: 'ws1' }, {}, named))).toEqual([['InvalidConfigurationSetting', "properties.configurationSettings['logAnalyticsWorkspaceResourceID']"]])
  })

  it('is named after its type and installed into mdc', () => {
    const settings = { logAnalyticsWorkspaceResourceID: WORKSPACE }
    expect(check(type, settings, {}, { ...named, extensionName: 'defender' }).map((v) => v.rule)).toEqual(['ExtensionNameNotAllowed'])
    expect(check(type, settings, {}, { ...named, scope: { kind: 'cluster', releaseNamespace: 'security' } }).map((v) => v.rule)).toEqual(['ReleaseNamespaceNotAllowed'])
  })
})

describe('every type: a plan is all or none', () => {
  const plan = { name: 'p', product: 'o', publisher: 'pub' }

  it('accepts no plan or a whole one', () => {
    expect(check('microsoft.flux', {}, {}, { plan: null })).toEqual([])
    expect(check('microsoft.flux', {}, {}, { plan })).toEqual([])
  })

  it.each(['name', 'product', 'publisher'] as const)('refuses a plan with a blank %s', (key) => {
    const violations = check('microsoft.flux', {}, {}, { plan: { ...plan, [key]: ' ' } })
    expect(brief(violations)).toEqual([['PlanIncomplete', `plan.${key}`]])
    expect(violations[0]?.message).toContain(`plan.${key}`)
  })
})

describe('the catalog refuses unsound settings rules', () => {
  const withRules =
    (settingsRules: unknown, extra: Record<string, unknown> = {}) =>
    () =>
      validateCatalog({ ...minimalCatalogJson(), types: [typeJson('example.settings', { defaultReleaseNamespace: 'ns1', settingsRules, ...extra })] })

  it('accepts a sound one', () => {
    const loaded = withRules({ releaseNamespace: 'ns1', configurationSettings: { type: 'object', properties: { a: { enum: ['x'] } } } })()
    expect(loaded.findType('example.settings')?.settingsRules).toMatchObject({ releaseNamespace: 'ns1', anySettings: null, keysInOneMapOnly: false })
  })

  it('refuses a schema ajv cannot compile', () => {
    expect(withRules({ configurationSettings: { type: 'object', required: ['a'] } })).toThrow(/settingsRules\.configurationSettings: not a JSON Schema/)
  })

  it('refuses an example that breaks its own rules', () => {
    expect(withRules({ configurationSettings: { type: 'object', properties: { a: { enum: ['x'] } } }, exampleSettings: { a: 'y' } })).toThrow(
      /settingsRules\.exampleSettings: key 'a' must be one of x/,
    )
  })

  it('ships an example for every type whose rules refuse empty settings', () => {
    for (const type of catalog.types.filter((t) => t.settingsRules)) {
      const settings = type.settingsRules?.exampleSettings ?? {}
      const distribution = type.supportedDistributions === 'any' ? null : (type.supportedDistributions[0] ?? null)
      const scope = type.scope === 'namespace' ? { kind: 'namespace' as const, targetNamespace: 'apps' } : null
      // API Management's gateway token belongs in the protected map, which exampleSettings does not cover.
      const secrets: Record<string, string> = type.type === 'microsoft.apimanagement.gateway' ? { 'gateway.auth.token': SECRET } : {}
      const request = {
        extensionName: type.singletonName,
        cluster: cluster({ distribution }),
        clusterType: type.supportedClusterTypes[0],
        scope,
        releaseTrain: type.releaseTrains[0]?.name ?? 'Stable',
        autoUpgradeMinorVersion: type.settingsRules?.autoUpgradeMinorVersion ?? true,
      }
      // A train with no sourced version installs nothing, whatever the settings: that is not the example's fault.
      const violations = check(type.type, { ...settings }, secrets, request).filter((v) => v.rule !== 'NoInstallableVersion')
      expect(violations, type.type).toEqual([])
    }
  })

  it('refuses a forced namespace that is not the default one', () => {
    expect(withRules({ releaseNamespace: 'other' })).toThrow(/settingsRules\.releaseNamespace/)
  })
})
