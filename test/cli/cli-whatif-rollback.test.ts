// `arcext ext whatif`, `ext rollback` and `sim tamper`, as a user runs them: bin/arcext.mjs in a child process against
// a real api and worker with the simulated driver. What-if predicts the install that follows; a refused what-if
// exits 1 naming the rule; a failed upgrade (an injected fault) is rolled back to the last good version; a release
// tampered with shows as drift on the extension (the observer runs every second here, DRIFT_CHECK_SECONDS=1).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clusterPath, until } from '../helpers/harness.js'
import { startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'
import { BIN, run, type Run } from './support.js'
import { FLUX_NEWEST, FLUX_PREVIOUS } from '../helpers/shipped-flux.js'

const PREV = FLUX_PREVIOUS.replaceAll('.', '\\.')
const NEW = FLUX_NEWEST.replaceAll('.', '\\.')

interface WhatIf {
  accepted: boolean
  status: number
  operation: string
  installedVersion: string | null
  resolvedVersion: string | null
  changes: { configurationProtectedSettings: { key: string; change: string }[] }
  violations: { code: string; message: string; target?: string }[]
}

describe('arcext what-if, rollback and tamper', () => {
  let h: IsolatedHarness
  const sub = randomUUID()
  const cluster = clusterPath(sub, 'c1')
  const arcext = (args: string[]) => run(process.execPath, [BIN, ...args], { ARCEXT_URL: h.baseUrl, ARCEXT_SUBSCRIPTION: sub, ARCEXT_RESOURCE_GROUP: 'rg1' })
  const json = <T>(result: Run): T => JSON.parse(result.stdout) as T
  const flux = ['-c', 'c1', '-t', 'microsoft.flux', '--auto-upgrade', 'false']

  beforeAll(async () => {
    // A database of its own: its fault rules and its drift observer see only this suite's cluster.
    h = await startIsolatedHarness({ env: { DRIFT_CHECK_SECONDS: '1', AUTO_UPGRADE_INTERVAL_SECONDS: '0', THROTTLING: 'off' } })
    expect((await arcext(['clusters', 'register', 'c1'])).code).toBe(0)
  })
  afterAll(() => h?.close())

  it('predicts an install, which then happens as predicted; and an upgrade by PATCH', async () => {
    const args = ['ext', 'whatif', 'flux', ...flux, '--version', FLUX_PREVIOUS, '--config', 'mode=good', '--protected', 'token=good-secret']
    const predicted = await arcext(args)
    expect(predicted.code, predicted.stderr).toBe(0)
    expect(predicted.stdout).toMatch(new RegExp(String.raw`^Request +PUT\nAnswer +accepted \(HTTP 201\)\nOperation +install\nInstalled version +-\nResolved version +${PREV}\n`))
    expect(predicted.stdout).toMatch(/^CHANGE +WHAT +BEFORE +AFTER$/m)
    expect(predicted.stdout).toMatch(new RegExp(String.raw`^added +properties\.version +- +${PREV}$`, 'm'))
    expect(predicted.stdout).toMatch(/^added +configurationSettings\.mode +- +good$/m)
    expect(predicted.stdout).toMatch(/^added +configurationProtectedSettings\.token +\(protected\) +\(protected\)$/m)
    expect(predicted.stdout + predicted.stderr).not.toContain('good-secret')
    expect(json<WhatIf>(await arcext([...args, '-o', 'json']))).toMatchObject({ accepted: true, status: 201, operation: 'install', resolvedVersion: FLUX_PREVIOUS, violations: [] })
    // Nothing was written.
    expect((await arcext(['ext', 'ls', '-c', 'c1'])).stdout).toBe('(no extensions)\n')

    const installed = await arcext(['ext', 'install', 'flux', ...flux, '--version', FLUX_PREVIOUS, '--config', 'mode=good', '--protected', 'token=good-secret', '--wait', '--interval', '0.1'])
    expect(installed.code, installed.stderr).toBe(0)
    expect(installed.stdout).toMatch(/Succeeded: extension\.install of c1\/flux in/)
    const shown = await arcext(['ext', 'show', 'flux', '-c', 'c1'])
    expect(shown.stdout).toMatch(new RegExp(String.raw`^Version +${PREV}$`, 'm'))
    expect(shown.stdout).toMatch(/^Settings +\{"mode":"good"\}$/m)

    const upgrade = await arcext(['ext', 'whatif', 'flux', '-c', 'c1', '--patch', '--version', FLUX_NEWEST])
    expect(upgrade.code, upgrade.stderr).toBe(0)
    expect(upgrade.stdout).toMatch(new RegExp(String.raw`^Request +PATCH\nAnswer +accepted \(HTTP 202\)\nOperation +upgrade\nInstalled version +${PREV}\nResolved version +${NEW}\n`))
    expect(upgrade.stdout).toMatch(new RegExp(String.raw`^modified +properties\.version +${PREV} +${NEW}$`, 'm'))
    // Protected settings are reported as changed or not, never with a value.
    expect(upgrade.stdout).toMatch(/^unchanged +configurationProtectedSettings\.token +\(protected\) +\(protected\)$/m)
    expect(upgrade.stdout).not.toContain('good-secret')
    expect((await arcext(['ext', 'show', 'flux', '-c', 'c1'])).stdout).toMatch(new RegExp(String.raw`^Version +${PREV}$`, 'm'))
  })

  it('exits 1 for a request that would be refused, naming the rule, and writes nothing', async () => {
    const refused = await arcext(['ext', 'whatif', 'dapr', '-c', 'c1', '-t', 'microsoft.dapr', '--config', 'arcext.driftRepair=sometimes'])
    expect(refused.code).toBe(1)
    expect(refused.stdout).toMatch(/^Answer +refused \(HTTP 400\)\nOperation +none\n/m)
    expect(refused.stdout).toMatch(/^CODE +STATUS +TARGET +MESSAGE\nInvalidConfigurationSetting +400 +properties\.configurationSettings\['arcext\.driftRepair'\] +\S/m)
    expect(refused.stderr).toMatch(/^would be refused with HTTP 400: InvalidConfigurationSetting: .*arcext\.driftRepair/)
    const asJson = await arcext(['ext', 'whatif', 'dapr', '-c', 'c1', '-t', 'microsoft.dapr', '--config', 'arcext.driftRepair=sometimes', '-o', 'json'])
    expect(asJson.code).toBe(1)
    expect(json<WhatIf>(asJson)).toMatchObject({ accepted: false, status: 400, operation: 'none', resolvedVersion: null, violations: [{ code: 'InvalidConfigurationSetting' }] })
    expect((await arcext(['ext', 'show', 'dapr', '-c', 'c1'])).stderr).toMatch(/^ResourceNotFound: /)
    // A PATCH what-if of an extension that does not exist is answered as the PATCH would be: 404.
    const missing = await arcext(['ext', 'whatif', 'nope', '-c', 'c1', '--patch', '--config', 'a=b'])
    expect(missing).toMatchObject({ code: 1, stdout: '' })
    expect(missing.stderr).toMatch(/^ResourceNotFound: /)
  })

  it('rolls a failed upgrade back to the last good version and settings', async () => {
    const fault = (await arcext(['faults', 'add', '--kind', 'failUpgrade', '-c', 'c1', '--extension-type', 'microsoft.flux', '--message', 'the new chart refused'])).stdout.trim()
    const failed = await arcext(['ext', 'install', 'flux', ...flux, '--version', FLUX_NEWEST, '--config', 'mode=bad', '--wait', '--interval', '0.1'])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/the new chart refused/)
    const broken = await arcext(['ext', 'show', 'flux', '-c', 'c1'])
    expect(broken.stdout).toMatch(/^State +Failed$/m)
    expect(broken.stdout).toMatch(new RegExp(String.raw`^Version +${PREV}$`, 'm'))
    expect(broken.stdout).toMatch(new RegExp(String.raw`^Error +.*The previous release, version ${PREV}, is still serving`, 'm'))
    expect((await arcext(['faults', 'rm', fault])).code).toBe(0)

    const rolledBack = await arcext(['ext', 'rollback', 'flux', '-c', 'c1', '--wait', '--interval', '0.1'])
    expect(rolledBack.code, rolledBack.stderr).toBe(0)
    expect(rolledBack.stdout).toMatch(/finished: Succeeded\nSucceeded: extension\.rollback of c1\/flux in \d+\.\d s\n$/)
    const restored = await arcext(['ext', 'show', 'flux', '-c', 'c1'])
    expect(restored.stdout).toMatch(/^State +Succeeded$/m)
    expect(restored.stdout).toMatch(new RegExp(String.raw`^Version +${PREV}$`, 'm'))
    expect(restored.stdout).toMatch(/^Settings +\{"mode":"good"\}$/m)
    expect((await arcext(['sim', 'releases', '-c', 'c1'])).stdout).toMatch(new RegExp(String.raw`^flux +flux-system +microsoft\.flux +${PREV} +\d+ +deployed +\S+$`, 'm'))

    const again = await arcext(['ext', 'rollback', 'flux', '-c', 'c1'])
    expect(again).toMatchObject({ code: 1, stdout: '' })
    expect(again.stderr).toMatch(new RegExp(String.raw`^NothingToRollBack: .*${PREV}`))
  })

  it('tampers with a simulated release, and the drift shows in ext show', async () => {
    const [before] = json<{ version: string; revision: number }[]>(await arcext(['sim', 'releases', '-c', cluster, '-o', 'json']))
    const tampered = await arcext(['sim', 'tamper', 'flux', 'version', '1.14.1', '-c', 'c1'])
    expect(tampered.code, tampered.stderr).toBe(0)
    expect(tampered.stdout).toMatch(/^RELEASE +NAMESPACE +TYPE +VERSION +REVISION +STATUS +UPDATED\n/)
    expect(tampered.stdout).toMatch(new RegExp(`^flux +flux-system +microsoft\\.flux +1\\.14\\.1 +${before!.revision + 1} +deployed +\\S+$`, 'm'))

    const drifted = await until(
      () => arcext(['ext', 'show', 'flux', '-c', 'c1']),
      (shown) => /ReleaseDrifted/.test(shown.stdout),
    )
    expect(drifted.stdout).toMatch(
      new RegExp(String.raw`^(Statuses)? +Warning ReleaseDrifted: Release 'flux' was changed outside arcext: version 1\.14\.1 is installed instead of ${PREV} \(since \S+\)\.`, 'm'),
    )
    expect(drifted.stdout).toMatch(/^State +Succeeded$/m)

    for (const [words, line] of [
      [['sim', 'tamper', 'flux', 'explode', '-c', 'c1'], "the change is remove, values, version <V> or failed, not 'explode'"],
      [['sim', 'tamper', 'flux', 'version', '-c', 'c1'], 'missing the version to change the release to'],
      [['sim', 'tamper', 'flux', 'remove', '1.0.0', '-c', 'c1'], "unexpected argument '1.0.0'"],
    ] as const) {
      expect(await arcext([...words])).toMatchObject({ code: 2, stdout: '', stderr: `${line} (arcext --help lists the commands)\n` })
    }
    const unknown = await arcext(['sim', 'tamper', 'nope', 'remove', '-c', 'c1'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^ResourceNotFound: .*releases\/nope/)
    expect((await arcext(['sim', 'tamper', 'flux', 'remove', '-c', 'c1'])).stdout).toBe('(no releases)\n')
  })
})
