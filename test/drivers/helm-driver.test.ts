// The helm driver against a fake helm executable (helm itself cannot be installed here): the exact command lines,
// the 0600 temp files seen by helm at call time and gone afterwards, failure classification and status parsing.
import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SecretBox, keyFromMaterial } from '../../core/secrets.js'
import { DriverError, type ReleaseSpec, type TargetCluster } from '../../workers/drivers/driver.js'
import { HelmDriver, chartReference } from '../../workers/drivers/helm/helm-driver.js'
import { HELM_ENV_ALLOWLIST } from '../../workers/drivers/helm/helm-environment.js'
import { valuesDigest } from '../../workers/drivers/values-digest.js'
import { fakeHelm, fakeHelmBin, type FakeHelm } from './support.js'

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster: {server: "https://10.0.0.1:6443"}\n# kubeconfig-secret-marker\n'
const REPOSITORY = 'oci://charts.example.test/arcext'

const cluster = (kubeconfig: string | null = KUBECONFIG): TargetCluster => ({
  id: '00000000-0000-0000-0000-0000000000c1',
  resourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/c1',
  facts: { distribution: 'k3s', infrastructure: null, kubernetesVersion: '1.30.4', totalNodeCount: 3, architecture: 'amd64' },
  kubeconfig,
})

const box = new SecretBox(keyFromMaterial(randomBytes(32)))

const release = (overrides: Partial<Omit<ReleaseSpec, 'valuesDigest'>> = {}): ReleaseSpec => {
  const spec = {
    releaseName: 'flux',
    namespace: 'flux-system',
    extensionType: 'microsoft.flux',
    version: '1.16.2',
    values: { 'multiTenancy.enforce': 'false', 'image.tag': 'v1.2.3', replicas: '2', 'annotations.example\\.com/team': 'platform' },
    protectedValues: { 'git.token': 'pr0tected-token-value' },
    ...overrides,
  }
  return { ...spec, valuesDigest: valuesDigest(box, spec) }
}

function driverFor(fake: FakeHelm, options: { chartRepository?: string | undefined; helmBin?: string; execAllowlist?: string[]; envPassthrough?: string[] } = {}) {
  return new HelmDriver({
    helmBin: options.helmBin ?? fakeHelmBin(),
    chartRepository: 'chartRepository' in options ? options.chartRepository : REPOSITORY,
    timeoutSeconds: 120,
    kubeconfigPolicy: { execAllowlist: options.execAllowlist ?? [] },
    envPassthrough: options.envPassthrough,
    env: fake.env,
  })
}

function script(fake: FakeHelm, rules: unknown[]): void {
  writeFileSync(path.join(fake.dir, 'script.json'), JSON.stringify(rules))
}

async function failure(promise: Promise<unknown>): Promise<DriverError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DriverError)
  return error as DriverError
}

describe('helm driver: install, upgrade, observe, uninstall', () => {
  it('installs with upgrade --install --atomic --wait and 0600 files that are deleted afterwards', async () => {
    const fake = fakeHelm()
    const spec = release()
    const observed = await driverFor(fake).apply(cluster(), spec)
    expect(observed).toEqual({
      releaseName: 'flux',
      namespace: 'flux-system',
      extensionType: 'microsoft.flux',
      version: '1.16.2',
      status: 'deployed',
      valuesDigest: spec.valuesDigest,
    })

    const calls = fake.log()
    expect(calls.map((c) => c.argv[0])).toEqual(['status', 'upgrade'])
    const upgrade = calls[1]!
    const kubeconfigPath = upgrade.kubeconfig!.path
    const valuesPath = upgrade.values!.path
    expect(upgrade.argv).toEqual([
      'upgrade',
      '--install',
      '--atomic',
      '--wait',
      '--create-namespace',
      '--namespace',
      'flux-system',
      'flux',
      `${REPOSITORY}/microsoft.flux`,
      '--version',
      '1.16.2',
      '-f',
      valuesPath,
      '--kubeconfig',
      kubeconfigPath,
      '--timeout',
      '120s',
      '--description',
      `arcext extensionType=microsoft.flux valuesDigest=${spec.valuesDigest}`,
      '--output',
      'json',
    ])
    expect(upgrade.kubeconfig).toMatchObject({ exists: true, mode: '600', dirMode: '700' })
    expect(upgrade.values).toMatchObject({ exists: true, mode: '600', dirMode: '700' })
    expect(upgrade.values!.content).toEqual({
      multiTenancy: { enforce: false },
      image: { tag: 'v1.2.3' },
      replicas: 2,
      annotations: { 'example.com/team': 'platform' },
      git: { token: 'pr0tected-token-value' },
    })
    // Secrets travel only inside the files, never on the command line.
    expect(JSON.stringify(calls.map((c) => c.argv))).not.toMatch(/kubeconfig-secret-marker|pr0tected-token-value/)
    expect(existsSync(kubeconfigPath)).toBe(false)
    expect(existsSync(valuesPath)).toBe(false)
    expect(existsSync(path.dirname(kubeconfigPath))).toBe(false)
  })

  it('observes what it installed as in sync, and upgrades on the next apply', async () => {
    const fake = fakeHelm()
    const driver = driverFor(fake)
    const spec = release()
    await driver.apply(cluster(), spec)

    // Without a namespace the driver finds the release with helm list first.
    const seen = await driver.observe(cluster(), 'flux')
    expect(seen).toMatchObject({ namespace: 'flux-system', status: 'deployed', version: '1.16.2', valuesDigest: spec.valuesDigest })
    const [list, status] = fake.log().slice(2)
    expect(list!.argv).toEqual(['list', '--all-namespaces', '--all', '--filter', '^flux$', '--kubeconfig', list!.kubeconfig!.path, '--output', 'json'])
    expect(status!.argv).toEqual(['status', 'flux', '--namespace', 'flux-system', '--kubeconfig', status!.kubeconfig!.path, '--output', 'json'])

    const changed = release({ version: '1.17.0' })
    const upgraded = await driver.apply(cluster(), changed)
    expect(upgraded).toMatchObject({ version: '1.17.0', valuesDigest: changed.valuesDigest })
    expect(fake.releases()).toMatchObject([{ name: 'flux', version: 2 }])
  })

  it('reports an absent release as null, with or without a namespace', async () => {
    const fake = fakeHelm()
    const driver = driverFor(fake)
    expect(await driver.observe(cluster(), 'nothing')).toBeNull()
    expect(await driver.observe(cluster(), 'nothing', { namespace: 'ns1' })).toBeNull()
    expect(fake.log().map((c) => c.argv[0])).toEqual(['list', 'status'])
  })

  it('uninstalls from the namespace it finds, and treats an absent release as done', async () => {
    const fake = fakeHelm()
    const driver = driverFor(fake)
    await driver.apply(cluster(), release())
    await driver.uninstall(cluster(), 'flux')
    const uninstall = fake.log().at(-1)!
    expect(uninstall.argv).toEqual(['uninstall', 'flux', '--namespace', 'flux-system', '--kubeconfig', uninstall.kubeconfig!.path, '--wait', '--timeout', '120s'])
    expect(uninstall.kubeconfig).toMatchObject({ exists: true, mode: '600' })
    expect(fake.releases()).toEqual([])

    const before = fake.log().length
    await driver.uninstall(cluster(), 'flux')
    expect(
      fake
        .log()
        .slice(before)
        .map((c) => c.argv[0]),
    ).toEqual(['list'])

    // helm itself saying "not found" (a race with someone else's uninstall) is success too.
    script(fake, [{ command: 'uninstall', exitCode: 1, stderr: 'Error: uninstall: Release not loaded: flux: release: not found\n' }])
    await driver.uninstall(cluster(), 'flux', { namespace: 'flux-system' })
  })
})

describe('helm driver: failures', () => {
  const HOW_TO_SEE = "helm's output is not shown because it can quote configuration values"
  const cases: { name: string; stderr: string; kind: 'transient' | 'permanent'; code: string; message: string }[] = [
    {
      name: 'cluster unreachable',
      stderr: 'Error: Kubernetes cluster unreachable: Get "https://10.0.0.1:6443/version": dial tcp 10.0.0.1:6443: connect: connection refused\n',
      kind: 'transient',
      code: 'ClusterUnreachable',
      message:
        "The cluster '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/c1' is not reachable: " +
        "helm could not connect to the API server named in the cluster's kubeconfig. Check that the cluster is running and that its API server accepts connections from this service.",
    },
    {
      name: 'wait timeout',
      stderr: 'Error: INSTALLATION FAILED: release flux failed, and has been uninstalled due to atomic being set: timed out waiting for the condition\n',
      kind: 'transient',
      code: 'HelmInstallFailed',
      message:
        "Helm install of release 'flux' in namespace 'flux-system' failed: the release's resources did not become ready within 120s (HELM_TIMEOUT_SECONDS). " +
        "Check the workloads in the release's namespace, or raise HELM_TIMEOUT_SECONDS if the chart needs longer.",
    },
    {
      name: 'a network error',
      stderr: 'Error: INSTALLATION FAILED: Get "https://charts.example.test/v2/": net/http: TLS handshake timeout\n',
      kind: 'transient',
      code: 'HelmInstallFailed',
      message: "Helm install of release 'flux' in namespace 'flux-system' failed: a temporary network or API server error interrupted helm (reaching the cluster or the chart's repository).",
    },
    {
      name: 'release locked by another operation',
      stderr: 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n',
      kind: 'transient',
      code: 'HelmInstallFailed',
      message:
        "Helm install of release 'flux' in namespace 'flux-system' failed: another helm operation (install/upgrade/rollback) on the release is in progress. " +
        "If no other helm process works on the release, an earlier one was interrupted: run 'helm rollback flux -n flux-system' (or 'helm uninstall' if it was never installed).",
    },
    {
      name: 'chart version not found',
      stderr: `Error: INSTALLATION FAILED: chart "microsoft.flux" version "1.16.2" not found in ${REPOSITORY} repository\n`,
      kind: 'permanent',
      code: 'HelmChartNotFound',
      message:
        "Helm install of release 'flux' in namespace 'flux-system' failed: chart 'oci://charts.example.test/arcext/microsoft.flux' version '1.16.2' was not found. " +
        'Check that the chart and version exist and that HELM_CHART_REPOSITORY points at the repository holding them.',
    },
    {
      name: 'oci manifest unknown',
      stderr: 'Error: INSTALLATION FAILED: failed to fetch oci://charts.example.test/arcext/microsoft.flux:1.16.2 : manifest unknown\n',
      kind: 'permanent',
      code: 'HelmChartNotFound',
      message:
        "Helm install of release 'flux' in namespace 'flux-system' failed: chart 'oci://charts.example.test/arcext/microsoft.flux' version '1.16.2' was not found. " +
        'Check that the chart and version exist and that HELM_CHART_REPOSITORY points at the repository holding them.',
    },
    {
      name: 'values rejected by the chart schema',
      stderr:
        "Error: INSTALLATION FAILED: values don't meet the specifications of the schema(s) in the following chart(s):\nflux:\n" +
        "- replicas: Invalid type. Expected: string, given: integer\n- (root): git is required\n- git.token: Does not match pattern '^[a-z]+$', given: pr0tected-token-value\n",
      kind: 'permanent',
      code: 'InvalidConfigurationSettings',
      message:
        "Helm install of release 'flux' in namespace 'flux-system' failed: the chart's values schema rejected the settings (fields: 'replicas', 'git', 'git.token'). " +
        'Correct configurationSettings / configurationProtectedSettings to what the chart accepts.',
    },
    {
      name: 'a template failure',
      stderr:
        'Error: INSTALLATION FAILED: template: flux/templates/secret.yaml:3:12: executing "flux/templates/secret.yaml" at <.Values.git.token>: wrong type for value; expected int; got string pr0tected-token-value\n',
      kind: 'permanent',
      code: 'InvalidConfigurationSettings',
      message:
        "Helm install of release 'flux' in namespace 'flux-system' failed: the chart's templates could not be rendered with the settings " +
        "(template 'flux/templates/secret.yaml' line 3; values involved: 'git.token'). Correct configurationSettings / configurationProtectedSettings to what the chart accepts.",
    },
    {
      name: 'credentials refused',
      stderr: 'Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials\n',
      kind: 'permanent',
      code: 'ClusterAccessDenied',
      message:
        "Helm install of release 'flux' in namespace 'flux-system' failed: the cluster refused the kubeconfig's credentials, or they do not allow managing this release. " +
        'Set a current kubeconfig allowed to manage releases with PUT /admin/clusters/{cluster id}/driver.',
    },
    {
      name: 'unknown failure',
      stderr: 'Error: INSTALLATION FAILED: something nobody anticipated about pr0tected-token-value\n',
      kind: 'permanent',
      code: 'HelmInstallFailed',
      message: `Helm install of release 'flux' in namespace 'flux-system' failed: helm exited with code 1 for a reason this service does not recognise. ${HOW_TO_SEE}; run the same helm command against the cluster to see it.`,
    },
  ]

  it.each(cases)('classifies $name as $kind $code with a fixed message', async ({ stderr, kind, code, message }) => {
    const fake = fakeHelm()
    script(fake, [{ command: 'upgrade', exitCode: 1, stderr }])
    const error = await failure(driverFor(fake).apply(cluster(), release()))
    expect({ kind: error.kind, code: error.code, message: error.message }).toEqual({ kind, code, message })
    // The files were there for helm and are gone although it failed.
    const upgrade = fake.log().at(-1)!
    expect(upgrade.values).toMatchObject({ exists: true, mode: '600' })
    expect(existsSync(upgrade.values!.path)).toBe(false)
    expect(existsSync(upgrade.kubeconfig!.path)).toBe(false)
  })

  it('names an upgrade as an upgrade', async () => {
    const fake = fakeHelm()
    const driver = driverFor(fake)
    await driver.apply(cluster(), release())
    script(fake, [{ command: 'upgrade', exitCode: 1, stderr: 'Error: UPGRADE FAILED: timed out waiting for the condition\n' }])
    const error = await failure(driver.apply(cluster(), release({ version: '1.17.0' })))
    expect(error).toMatchObject({ kind: 'transient', code: 'HelmUpgradeFailed' })
    expect(error.message).toMatch(/^Helm upgrade of release 'flux' in namespace 'flux-system' failed: the release's resources did not become ready/)
  })

  it('never passes on helm output that quotes protected values, however they are written', async () => {
    const fake = fakeHelm()
    const protectedValues = { 'git.token': 'ab', 'git.pin': '7', 'git.quoted': 'say "hi" \\ bye', 'tls.key': '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----\n' }
    script(fake, [{ command: 'upgrade', exitCode: 1, echoValues: true }])
    const error = await failure(driverFor(fake).apply(cluster(), release({ protectedValues })))
    expect(error.message).toBe(
      "Helm install of release 'flux' in namespace 'flux-system' failed: the chart's templates could not be rendered with the settings " +
        "(template 'chart/templates/secret.yaml' line 12). Correct configurationSettings / configurationProtectedSettings to what the chart accepts.",
    )
    expect(error.failureClass).toBe('valuesRejectedByTemplates')
  })

  it('fails an uninstall with the uninstall code', async () => {
    const fake = fakeHelm()
    script(fake, [{ command: 'uninstall', exitCode: 1, stderr: 'Error: uninstallation completed with 1 error(s): context deadline exceeded\n' }])
    const error = await failure(driverFor(fake).uninstall(cluster(), 'flux', { namespace: 'flux-system' }))
    expect(error).toMatchObject({ kind: 'transient', code: 'HelmUninstallFailed' })
    expect(error.message).toMatch(/^Helm uninstall of release 'flux' in namespace 'flux-system' failed: the release's resources did not become ready within 120s/)
  })

  it('refuses to run without a kubeconfig, a chart repository, or consistent setting keys, before calling helm', async () => {
    const fake = fakeHelm()
    const missingKubeconfig = await failure(driverFor(fake).apply(cluster(null), release()))
    expect(missingKubeconfig).toMatchObject({ kind: 'permanent', code: 'KubeconfigMissing' })
    expect(missingKubeconfig.message).toMatch(/has no kubeconfig\. Set one with PUT \/admin\/clusters\/\{cluster id\}\/driver/)

    const noRepository = await failure(driverFor(fake, { chartRepository: undefined }).apply(cluster(), release()))
    expect(noRepository).toMatchObject({ kind: 'permanent', code: 'HelmChartRepositoryNotSet' })
    expect(noRepository.message).toMatch(/Set HELM_CHART_REPOSITORY on the worker .*'microsoft\.flux'/)

    const conflicting = await failure(driverFor(fake).apply(cluster(), release({ values: { image: 'nginx', 'image.tag': 'v1' }, protectedValues: { 'image.tag': 'hidden-value' } })))
    expect(conflicting).toMatchObject({ kind: 'permanent', code: 'InvalidConfigurationSettings' })
    expect(conflicting.message).toMatch(/The settings 'image' and 'image\.tag' conflict/)
    expect(conflicting.message).not.toContain('hidden-value')
    expect(fake.log()).toEqual([])
  })

  it('says how to fix a missing helm executable', async () => {
    const fake = fakeHelm()
    const error = await failure(driverFor(fake, { helmBin: path.join(fake.dir, 'no-such-helm') }).observe(cluster(), 'flux', { namespace: 'x' }))
    expect(error).toMatchObject({ kind: 'permanent', code: 'HelmNotAvailable' })
    expect(error.message).toMatch(/the helm executable '.*no-such-helm' was not found\. Install helm 3 on the worker host, or set HELM_BIN/)
  })

  it('stops helm when the call is aborted and still removes the files', async () => {
    const fake = fakeHelm()
    script(fake, [{ command: 'upgrade', sleepMs: 60_000 }])
    const controller = new AbortController()
    const pending = driverFor(fake).apply(cluster(), release(), { signal: controller.signal })
    // Abort once helm is running (its call is logged when it starts).
    while (!fake.log().some((c) => c.argv[0] === 'upgrade')) await new Promise((resolve) => setTimeout(resolve, 20))
    controller.abort()
    const error = await failure(pending)
    expect(error).toMatchObject({ kind: 'transient', code: 'OperationInterrupted' })
    expect(existsSync(fake.log().at(-1)!.values!.path)).toBe(false)
  })
})

describe('helm driver: environment and kubeconfig at use time', () => {
  const PLANTED = {
    ENCRYPTION_KEY: 'planted-encryption-key',
    DATABASE_URL: 'postgresql://planted:pw@db/x',
    AWS_SECRET_ACCESS_KEY: 'planted-aws-secret',
    KUBECONFIG: '/planted/kubeconfig',
    HELM_KUBETOKEN: 'planted-kube-token',
  }
  const OPERATOR = { HELM_REPOSITORY_CONFIG: '/etc/helm/repositories.yaml', HTTPS_PROXY: 'http://proxy.example:3128', ARCEXT_TEST_PASSED_ON: 'yes' }

  async function withEnv<T>(vars: Record<string, string>, work: () => Promise<T>): Promise<T> {
    const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
    Object.assign(process.env, vars)
    try {
      return await work()
    } finally {
      for (const [name, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  }

  it('runs helm with an allow-listed environment and a private HOME, never the worker’s secrets', async () => {
    const fake = fakeHelm()
    await withEnv({ ...PLANTED, ...OPERATOR }, () => driverFor(fake, { envPassthrough: ['ARCEXT_TEST_PASSED_ON'] }).apply(cluster(), release()))
    const calls = fake.log()
    expect(calls.map((c) => c.argv[0])).toEqual(['status', 'upgrade'])
    for (const call of calls) {
      const env = call.env
      for (const name of Object.keys(PLANTED)) expect(env).not.toHaveProperty(name)
      expect(JSON.stringify(env)).not.toMatch(/planted/)
      expect(env).toMatchObject({ ...OPERATOR, PATH: process.env.PATH, FAKE_HELM_DIR: fake.dir })
      // HOME and the XDG directories live in the call's private directory, which is gone afterwards.
      const callDir = path.dirname(call.kubeconfig!.path)
      expect(env.HOME).toBe(path.join(callDir, 'home'))
      expect(call.home).toEqual({ path: env.HOME, isDirectory: true })
      expect([env.XDG_CACHE_HOME, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME].map((dir) => path.dirname(dir!))).toEqual([callDir, callDir, callDir])
      const ambient = HELM_ENV_ALLOWLIST.filter((name) => process.env[name] !== undefined)
      expect(Object.keys(env).sort()).toEqual([...new Set([...ambient, ...Object.keys(OPERATOR), 'FAKE_HELM_DIR', 'HOME', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME'])].sort())
      expect(existsSync(callDir)).toBe(false)
    }
  })

  const EXEC_KUBECONFIG = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c1',
    '  cluster: {server: "https://10.0.0.1:6443"}',
    'users:',
    '- name: u1',
    '  user:',
    '    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, "touch /tmp/pwned-by-kubeconfig"]}',
    '',
  ].join('\n')

  it('refuses a stored kubeconfig that breaks the rules, permanently and without running helm', async () => {
    const fake = fakeHelm()
    const driver = driverFor(fake)
    for (const call of [driver.apply(cluster(EXEC_KUBECONFIG), release()), driver.observe(cluster(EXEC_KUBECONFIG), 'flux'), driver.uninstall(cluster(EXEC_KUBECONFIG), 'flux')]) {
      const error = await failure(call)
      expect(error).toMatchObject({ kind: 'permanent', code: 'KubeconfigNotAllowed' })
      expect(error.message).toContain("'kubeconfig.users[0].user.exec' runs a command on the worker host")
      expect(error.message).not.toMatch(/bin\/sh|pwned/)
    }
    expect(fake.log()).toEqual([])
  })

  it('runs an allow-listed exec plugin’s kubeconfig, handing helm the checked canonical JSON', async () => {
    const fake = fakeHelm()
    await driverFor(fake, { execAllowlist: ['/bin/sh'] }).observe(cluster(EXEC_KUBECONFIG), 'flux', { namespace: 'flux-system' })
    const [status] = fake.log()
    expect((status!.kubeconfig as { content?: unknown }).content).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c1', cluster: { server: 'https://10.0.0.1:6443' } }],
      users: [{ name: 'u1', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', 'touch /tmp/pwned-by-kubeconfig'] } } }],
    })
  })
})

describe('helm driver: status parsing', () => {
  const statuses: [string, string | null][] = [
    ['deployed', 'deployed'],
    ['failed', 'failed'],
    ['pending-install', 'pending'],
    ['pending-upgrade', 'pending'],
    ['uninstalling', 'pending'],
    ['superseded', 'failed'],
    ['uninstalled', null],
  ]

  it.each(statuses)('maps helm status %s', async (helmStatus, expected) => {
    const fake = fakeHelm()
    const stdout = JSON.stringify({
      name: 'flux',
      namespace: 'flux-system',
      version: 3,
      info: { status: helmStatus, description: 'Rollback to 2' },
      chart: { metadata: { name: 'microsoft.flux', version: '1.15.0' } },
      config: { git: { token: 'never-read' } },
    })
    script(fake, [{ command: 'status', stdout }])
    const observed = await driverFor(fake).observe(cluster(), 'flux', { namespace: 'flux-system' })
    if (expected === null) return expect(observed).toBeNull()
    // Not installed by arcext (or rolled back): no digest, so the next apply upgrades it.
    expect(observed).toEqual({ releaseName: 'flux', namespace: 'flux-system', extensionType: 'microsoft.flux', version: '1.15.0', status: expected, valuesDigest: '' })
  })

  it('reports unreadable helm output as a permanent error naming helm’s version', async () => {
    const fake = fakeHelm()
    script(fake, [{ command: 'status', stdout: 'NAME: flux\nSTATUS: deployed\n' }])
    const error = await failure(driverFor(fake).observe(cluster(), 'flux', { namespace: 'flux-system' }))
    expect(error).toMatchObject({ kind: 'permanent', code: 'HelmOutputUnreadable' })
    expect(error.message).toMatch(/helm 3\.8 or later/)
  })

  it('builds chart references from the repository and the extension type', () => {
    expect(chartReference('oci://registry.example/charts/', 'Microsoft.Flux')).toBe('oci://registry.example/charts/microsoft.flux')
    expect(chartReference('myrepo', 'microsoft.dapr')).toBe('myrepo/microsoft.dapr')
  })
})
