// Pure pieces of the drivers: fault-rule validation (shared by the admin API and SIMULATED_FAULTS), latency
// precedence, and the settings → helm values conversion.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../core/config.js'
import { readFaultRule } from '../../core/simulator/fault-rule.js'
import { createDrivers } from '../../workers/drivers/index.js'
import { InvalidSettingsError, settingPath, settingsToValues, typedValue } from '../../workers/drivers/helm/helm-values.js'
import { parseEnvFaults } from '../../workers/drivers/simulated/env-faults.js'
import { latencyPrecedence } from '../../workers/drivers/simulated/fault-injector.js'
import { CLUSTER_DRIVERS } from '../../core/store/cluster-driver.js'

const CLUSTER = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG1/providers/Microsoft.Kubernetes/connectedClusters/Cluster1'
const known = (type: string) => ['microsoft.flux', 'microsoft.dapr'].includes(type.toLowerCase())

describe('fault rules', () => {
  it('normalises a rule and fills in defaults per kind', () => {
    expect(readFaultRule({ kind: 'unreachable', clusterId: `${CLUSTER}/`, extensionType: 'Microsoft.Flux' }, { isKnownExtensionType: known })).toEqual({
      ok: true,
      id: undefined,
      rule: {
        kind: 'unreachable',
        cluster: { resourceId: CLUSTER, idKey: CLUSTER.toLowerCase() },
        extensionType: 'microsoft.flux',
        operations: [],
        transient: true,
        probability: 1,
        remainingCalls: null,
        durationMs: null,
        message: null,
      },
    })
    expect(readFaultRule({ kind: 'failInstall' })).toMatchObject({ ok: true, rule: { transient: false, cluster: null, extensionType: null } })
    expect(readFaultRule({ kind: 'hang', operations: ['uninstall', 'install'] })).toMatchObject({ ok: true, rule: { durationMs: 600_000, operations: ['install', 'uninstall'] } })
    expect(readFaultRule({ kind: 'latency', durationMs: 250, probability: 0.5, remainingCalls: 3 })).toMatchObject({ ok: true, rule: { durationMs: 250, probability: 0.5, remainingCalls: 3 } })
  })

  const invalid: [string, unknown, { target: string; message: RegExp }[]][] = [
    ['not an object', [], [{ target: '', message: /must be a JSON object/ }]],
    ['missing kind', {}, [{ target: 'kind', message: /is required; one of failInstall, failUpgrade/ }]],
    ['unknown kind', { kind: 'explode' }, [{ target: 'kind', message: /must be one of: failInstall/ }]],
    ['unknown property', { kind: 'failInstall', cluster: 'x' }, [{ target: 'cluster', message: /is not allowed here; allowed: kind, clusterId/ }]],
    ['bad cluster id', { kind: 'failInstall', clusterId: 'cluster1' }, [{ target: 'clusterId', message: /'cluster1' is not a cluster resource id; expected \/subscriptions\// }]],
    ['unknown extension type', { kind: 'failInstall', extensionType: 'contoso.nothing' }, [{ target: 'extensionType', message: /not in the catalog/ }]],
    ['probability out of range', { kind: 'failUpgrade', probability: 1.5 }, [{ target: 'probability', message: /from 0 to 1/ }]],
    ['zero remaining calls', { kind: 'failUpgrade', remainingCalls: 0 }, [{ target: 'remainingCalls', message: /at least 1/ }]],
    ['latency without duration', { kind: 'latency' }, [{ target: 'durationMs', message: /is required/ }]],
    ['latency with transient', { kind: 'latency', durationMs: 5, transient: true }, [{ target: 'transient', message: /not used by latency rules/ }]],
    ['operations on a fail kind', { kind: 'failUninstall', operations: ['install'] }, [{ target: 'operations', message: /always affects uninstall calls/ }]],
    ['empty operations', { kind: 'hang', operations: [] }, [{ target: 'operations', message: /non-empty array of: install, upgrade, uninstall/ }]],
    ['duration on unreachable', { kind: 'unreachable', durationMs: 10 }, [{ target: 'durationMs', message: /only latency and hang rules take time/ }]],
    [
      'several problems at once',
      { kind: 'failInstall', transient: 'yes', message: '' },
      [
        { target: 'transient', message: /true or false/ },
        { target: 'message', message: /non-empty string/ },
      ],
    ],
  ]

  it.each(invalid)('rejects %s with the path of every problem', (_name, body, expected) => {
    const result = readFaultRule(body, { isKnownExtensionType: known })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems.map((p) => p.target)).toEqual(expected.map((e) => e.target))
    result.problems.forEach((problem, index) => expect(problem.message).toMatch(expected[index]!.message))
  })

  it('puts the most specific latency rule first, oldest first among equals', () => {
    const rules = [
      { id: 'any', clusterIdKey: null, extensionType: null },
      { id: 'type', clusterIdKey: null, extensionType: 'microsoft.flux' },
      { id: 'cluster-1', clusterIdKey: 'c', extensionType: null },
      { id: 'both', clusterIdKey: 'c', extensionType: 'microsoft.flux' },
      { id: 'cluster-2', clusterIdKey: 'c', extensionType: null },
    ]
    expect(latencyPrecedence(rules).map((r) => r.id)).toEqual(['both', 'cluster-1', 'cluster-2', 'type', 'any'])
  })
})

describe('SIMULATED_FAULTS', () => {
  it('reads rules with and without ids; derived ids are stable', () => {
    const json = JSON.stringify([
      { id: 'ci-flux', kind: 'failInstall', extensionType: 'microsoft.flux', remainingCalls: 2 },
      { kind: 'latency', durationMs: 100 },
    ])
    const first = parseEnvFaults(json, { isKnownExtensionType: known })
    expect(first.map((f) => f.id)).toEqual(['ci-flux', expect.stringMatching(/^env-2-[0-9a-f]{8}$/)])
    expect(parseEnvFaults(json, { isKnownExtensionType: known })).toEqual(first)
    expect(first[0]!.rule).toMatchObject({ kind: 'failInstall', extensionType: 'microsoft.flux', remainingCalls: 2 })
  })

  const bad: [string, string, RegExp][] = [
    ['invalid JSON', '[{', /SIMULATED_FAULTS is not valid JSON/],
    ['not an array', '{"kind":"failInstall"}', /must be a JSON array of fault rules/],
    [
      'invalid entries',
      '[{"kind":"nope"},{"kind":"latency"}]',
      /2 problem\(s\):\n- The value of 'SIMULATED_FAULTS\[0\]\.kind' must be one of[^\n]*\n- The property 'SIMULATED_FAULTS\[1\]\.durationMs' is required/,
    ],
    ['duplicate ids', '[{"id":"a","kind":"failInstall"},{"id":"a","kind":"failUpgrade"}]', /the id 'a' is used by more than one rule/],
    ['bad id', '[{"id":"-x","kind":"failInstall"}]', /SIMULATED_FAULTS\[0\]\.id' must be 1-64 letters/],
  ]

  it.each(bad)('stops the worker on %s', (_name, json, message) => {
    expect(() => parseEnvFaults(json)).toThrow(ConfigError)
    expect(() => parseEnvFaults(json)).toThrow(message)
  })

  it('is checked when the drivers are built, so a worker with a bad value does not start', () => {
    const config = { simulatedStepLatencyMs: 0, helmBin: 'helm', helmChartRepository: undefined, helmTimeoutSeconds: 300, kubeconfigExecAllowlist: [], helmEnvPassthrough: [] }
    expect(() => createDrivers(null as never, { ...config, simulatedFaults: '[{"kind":"failInstall","extensionType":"contoso.unknown"}]' })).toThrow(/not in the catalog/)
    expect(Object.keys(createDrivers(null as never, { ...config, simulatedFaults: undefined })).sort()).toEqual([...CLUSTER_DRIVERS].sort())
  })
})

describe('settings → helm values', () => {
  it('nests dotted keys, honours \\. escapes and types values like helm --set', () => {
    expect(settingPath('a.b\\.c.d')).toEqual(['a', 'b.c', 'd'])
    expect(
      settingsToValues({ 'a.b.c': 'x', 'a.b.d': 'TRUE', 'a.n': '42', 'a.z': '007', 'a.big': '12345678901234567890', e: 'null', f: 'false', 'g.h': '-3', i: '1.5' }, { 'a.b.c': 'protected-wins' }),
    ).toEqual({ a: { b: { c: 'protected-wins', d: true }, n: 42, z: '007', big: '12345678901234567890' }, e: null, f: false, g: { h: -3 }, i: '1.5' })
    expect(typedValue('False')).toBe(false)
    expect(typedValue('0')).toBe(0)
    expect(typedValue('-0')).toBe('-0')
  })

  it('keeps keys like __proto__ as plain data', () => {
    const values = settingsToValues({ '__proto__.polluted': 'yes' })
    expect(Object.keys(values)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    [{ a: '1', 'a.b': '2' }, /The settings 'a' and 'a\.b' conflict: 'a' is a value/],
    [{ 'a.b': '2', a: '1' }, /The settings 'a' and 'a\.b' conflict: 'a' is a value/],
    [{ 'a..b': '1' }, /The setting key 'a\.\.b' has an empty path segment/],
    [{ '.a': '1' }, /empty path segment/],
  ])('rejects inconsistent keys %j without echoing values', (settings, message) => {
    expect(() => settingsToValues(settings)).toThrow(InvalidSettingsError)
    expect(() => settingsToValues(settings)).toThrow(message)
  })

  it('rejects keys with more path segments than a values tree should hold', () => {
    expect(settingPath(Array(64).fill('a').join('.'))).toHaveLength(64)
    expect(() => settingsToValues({ [Array(65).fill('a').join('.')]: '1' })).toThrow(/has 65 path segments; at most 64 are allowed/)
    // Deep enough that building and serialising the tree would exhaust the stack.
    expect(() => settingsToValues({}, { [Array(500_000).fill('a').join('.')]: 'secret' })).toThrow(InvalidSettingsError)
  })

  it('names both keys when a protected setting collides with a plain one', () => {
    expect(() => settingsToValues({ 'db.password.length': '3' }, { 'db.password': 'hidden-value' })).toThrow(
      /The settings 'db\.password' and 'db\.password\.length' conflict: 'db\.password' holds other settings/,
    )
  })
})
