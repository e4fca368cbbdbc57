// A cluster switched to the helm driver through the admin API, with HELM_BIN pointing at the fake helm: an extension
// PUT installs with `helm upgrade --install`, DELETE uninstalls, both through the real api and worker.
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, extensionPath, freshSubscription, registerCluster, until } from '../helpers/harness.js'
import { getExtension, putExtension, runOperation, startHelmHarness, type FakeHelm, type HelmHarness } from './support.js'
import { FLUX_NEWEST } from '../helpers/shipped-flux.js'

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters:\n- name: edge\n  cluster:\n    server: https://10.9.8.7:6443\nusers:\n- name: admin\n  user:\n    token: e2e-kubeconfig-token\n'
const REPOSITORY = 'oci://charts.example.test/arcext'

let h: HelmHarness
let fake: FakeHelm

beforeAll(async () => {
  h = await startHelmHarness({ env: { HELM_CHART_REPOSITORY: REPOSITORY, HELM_TIMEOUT_SECONDS: '90' } })
  fake = h.fake
})
afterAll(() => h?.close())

describe('helm driver end to end', () => {
  it('installs and uninstalls an extension on a helm cluster', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const set = await call(h, 'PUT', `/admin/clusters/${encodeURIComponent(cluster)}/driver`, { driver: 'helm', kubeconfig: KUBECONFIG })
    expect(set.body).toEqual({ clusterId: cluster, driver: 'helm', kubeconfigSet: true })

    const installed = await putExtension(h, sub, 'flux', {
      extensionType: 'microsoft.flux',
      configurationSettings: { 'multiTenancy.enforce': 'false', 'sourceController.replicas': '2' },
      configurationProtectedSettings: { 'git.password': 'e2e-protected-value' },
    })
    expect(installed).toMatchObject({ status: 'Succeeded' })
    const ext = await getExtension(h, sub, 'flux')
    expect(ext.body.properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: FLUX_NEWEST, errorInfo: null })
    expect(JSON.stringify(ext.body)).not.toMatch(/e2e-protected-value|e2e-kubeconfig-token/)

    const upgrade = fake.log().find((c) => c.argv[0] === 'upgrade')!
    expect(upgrade.argv.slice(0, 11)).toEqual([
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
      FLUX_NEWEST,
    ])
    expect(upgrade.argv).toContain('--timeout')
    expect(upgrade.argv[upgrade.argv.indexOf('--timeout') + 1]).toBe('90s')
    expect(upgrade.kubeconfig).toMatchObject({ exists: true, mode: '600' })
    expect(upgrade.values).toMatchObject({
      exists: true,
      mode: '600',
      content: { multiTenancy: { enforce: false }, sourceController: { replicas: 2 }, git: { password: 'e2e-protected-value' } },
    })
    expect(existsSync(upgrade.kubeconfig!.path)).toBe(false)
    expect(existsSync(upgrade.values!.path)).toBe(false)
    expect(fake.releases()).toMatchObject([{ name: 'flux', namespace: 'flux-system', info: { status: 'deployed' }, chart: { metadata: { version: FLUX_NEWEST } } }])

    // Same desired state again: the release is observed in sync and helm upgrade is not run a second time.
    const upgradesBefore = fake.log().filter((c) => c.argv[0] === 'upgrade').length
    expect(
      await putExtension(h, sub, 'flux', {
        extensionType: 'microsoft.flux',
        configurationSettings: { 'multiTenancy.enforce': 'false', 'sourceController.replicas': '2' },
        configurationProtectedSettings: { 'git.password': 'e2e-protected-value' },
      }),
    ).toMatchObject({ status: 'Succeeded' })
    expect(fake.log().filter((c) => c.argv[0] === 'upgrade')).toHaveLength(upgradesBefore)

    expect(await runOperation(h, 'DELETE', extensionPath(sub, 'flux'))).toMatchObject({ status: 'Succeeded' })
    expect((await getExtension(h, sub, 'flux')).status).toBe(404)
    const uninstall = fake.log().find((c) => c.argv[0] === 'uninstall')!
    expect(uninstall.argv.slice(0, 4)).toEqual(['uninstall', 'flux', '--namespace', 'flux-system'])
    expect(uninstall.kubeconfig).toMatchObject({ exists: true, mode: '600' })
    expect(fake.releases()).toEqual([])
    // Nothing the helm driver ran carried a secret on its command line.
    expect(JSON.stringify(fake.log().map((c) => c.argv))).not.toMatch(/e2e-protected-value|e2e-kubeconfig-token/)
  })

  it("puts helm's steps on the operation's timeline, with a failed step's code and never helm's message or a value", async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub, 'timeline')
    expect((await call(h, 'PUT', `/admin/clusters/${encodeURIComponent(cluster)}/driver`, { driver: 'helm', kubeconfig: KUBECONFIG })).status).toBe(200)
    // The first upgrade fails, its output quoting every value the ways charts do; the worker then tries again.
    writeFileSync(
      path.join(fake.dir, 'script.json'),
      JSON.stringify([{ command: 'upgrade', times: 1, exitCode: 1, stderr: 'Error: UPGRADE FAILED: timed out waiting for the condition\n', echoValues: true }]),
    )
    const secret = 'timeline-protected-8e1f'
    const setting = 'timeline-setting-5c0d'
    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux', 'timeline')}?api-version=2023-05-01`, {
      properties: { extensionType: 'microsoft.flux', configurationSettings: { 'a.b': setting }, configurationProtectedSettings: { 'git.password': secret } },
    })
    expect(put.status).toBe(201)
    const operationId = new URL(put.headers.get('azure-asyncoperation')!).pathname.split('/').pop()!
    const op = await until(
      () => call<{ status: string; timeline: Record<string, unknown>[] }>(h, 'GET', `/admin/operations/${operationId}`),
      (r) => r.body.status !== 'InProgress',
      30_000,
    )
    writeFileSync(path.join(fake.dir, 'script.json'), '[]')
    const steps = op.body.timeline.filter((e) => e.event === 'driverStep').map((e) => [e.attempt, e.driver, e.step, e.status, typeof e.errorCode])
    // The job reads the release first (is it in sync?); an install then resolves the chart, reads the release again
    // (install or upgrade?) and runs helm upgrade --install --wait.
    const attempt = (n: number, last: string, code: string) => [
      [n, 'helm', 'readRelease', 'Succeeded', 'undefined'],
      [n, 'helm', 'resolveChart', 'Succeeded', 'undefined'],
      [n, 'helm', 'readRelease', 'Succeeded', 'undefined'],
      [n, 'helm', 'install', last, code],
    ]
    expect(steps.slice(0, 4)).toEqual(attempt(1, 'Failed', 'string'))
    if (op.body.status === 'Succeeded') expect(steps.slice(4)).toEqual(attempt(2, 'Succeeded', 'undefined'))
    else expect(steps).toHaveLength(4)
    const text = JSON.stringify(op.body)
    for (const leak of [secret, setting, 'e2e-kubeconfig-token', 'UPGRADE FAILED', 'execution error', 'timed out waiting']) expect(text).not.toContain(leak)
  })
})
