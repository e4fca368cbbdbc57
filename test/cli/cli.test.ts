// `arcext`, the CLI, as a user runs it: bin/arcext.mjs in a child process against a real api and worker, over HTTP
// and HTTPS, in dev mode and (for `token`) in jwt mode. Exit codes, tables, `-o json` and one-line errors.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, clusterPath } from '../helpers/harness.js'
import { startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'
import { jwks, jwtEnv, signingKey, tempDir, writeJson } from '../auth/support.js'
import { secretHash } from '../front-door/support.js'
import { BIN, run, type Run } from './support.js'

describe('arcext against a dev-mode instance', () => {
  let h: IsolatedHarness
  const sub = randomUUID()
  const cluster = clusterPath(sub, 'c1')
  // Every command names the service through ARCEXT_URL and the cluster's scope through the environment, as a user would.
  const arcext = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [BIN, ...args], { ARCEXT_URL: h.baseUrl, ARCEXT_SUBSCRIPTION: sub, ARCEXT_RESOURCE_GROUP: 'rg1', ...env })
  const json = <T>(result: Run): T => {
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout) as T
  }

  beforeAll(async () => {
    // A database of its own: `reset` empties the whole database and fault rules could reach other suites' clusters.
    // Installs take a moment, so `--watch` sees them running.
    h = await startIsolatedHarness({ env: { SIMULATED_STEP_LATENCY_MS: '300', THROTTLING: 'off' } })
  })
  afterAll(() => h?.close())

  it('status and wait-ready report a ready instance; an unreachable one is one line and exit 1', async () => {
    const status = await arcext(['status'])
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toMatch(/^arcext +\d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+\nAuth mode +dev\nListeners +http on, https on\nReady +yes \(postgres ok, redis ok, migrations ok\)\n$/)
    expect(json<{ ready: boolean; authMode: string }>(await arcext(['status', '-o', 'json']))).toMatchObject({ ready: true, authMode: 'dev' })
    const ready = await arcext(['wait-ready', '--timeout', '10'])
    expect(ready).toMatchObject({ code: 0, stdout: 'ready (postgres ok, redis ok, migrations ok)\n' })

    const down = await arcext(['status'], { ARCEXT_URL: 'http://127.0.0.1:9' })
    expect(down).toMatchObject({ code: 1, stdout: '' })
    expect(down.stderr).toBe('cannot reach arcext at http://127.0.0.1:9 (ECONNREFUSED): is it running? Set --url or ARCEXT_URL to where it listens\n')
    const never = await arcext(['wait-ready', '--url', 'http://127.0.0.1:9', '--timeout', '1'])
    expect(never.code).toBe(1)
    expect(never.stderr).toMatch(/^not ready after 1 s: cannot reach arcext at http:\/\/127\.0\.0\.1:9/)
  })

  it('speaks https with --ca, and says what to do without it', async () => {
    const untrusted = await arcext(['status', '--url', h.api.httpsUrl])
    expect(untrusted.code).toBe(1)
    expect(untrusted.stderr).toMatch(/^cannot trust the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(.+\): pass the service's certificate with --ca or ARCEXT_CA/)
    const trusted = await arcext(['status', '-o', 'json'], { ARCEXT_URL: h.api.httpsUrl, ARCEXT_CA: h.api.certFile })
    expect(json<{ baseUrl: string }>(trusted).baseUrl).toBe(h.api.httpsUrl)
  })

  it('registers, shows and lists clusters, as a table and as JSON', async () => {
    const registered = await arcext(['clusters', 'register', 'c1', '--distribution', 'aks_edge_k3s', '--nodes', '2'])
    expect(registered).toMatchObject({ code: 0, stdout: `Registered ${cluster}\n` })
    const shown = json<{ id: string; properties: { distribution: string; totalNodeCount: number } }>(await arcext(['clusters', 'show', cluster, '-o', 'json']))
    expect(shown).toMatchObject({ id: cluster, properties: { distribution: 'aks_edge_k3s', totalNodeCount: 2 } })

    const listed = await arcext(['clusters', 'ls'])
    expect(listed.code, listed.stderr).toBe(0)
    const [header, ...rows] = listed.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^NAME +TYPE +RESOURCE GROUP +SUBSCRIPTION +LOCATION +DISTRIBUTION +KUBERNETES +STATE$/)
    expect(rows).toHaveLength(1)
    // Columns line up: each value starts where its header does.
    const row = rows[0]!
    expect(row.slice(header!.indexOf('SUBSCRIPTION')).startsWith(sub)).toBe(true)
    expect(row.slice(header!.indexOf('STATE')).trim()).toBe('Succeeded')
    expect(row).toMatch(/^c1 +connectedClusters +rg1 /)
    expect(json<{ id: string }[]>(await arcext(['clusters', 'ls', '-o', 'json'])).map((c) => c.id)).toEqual([cluster])
  })

  it('installs an extension and follows its operation to Succeeded with ops show --watch', async () => {
    const accepted = json<{ operationId: string }>(await arcext(['ext', 'install', 'flux', '-c', 'c1', '-t', 'microsoft.flux', '--config', 'multiTenancy.enforce=false', '-o', 'json']))
    const watched = await arcext(['ops', 'show', accepted.operationId, '--watch', '--interval', '0.1', '--timeout', '30'])
    expect(watched.code, watched.stderr).toBe(0)
    expect(watched.stdout).toMatch(
      new RegExp(
        `^Watching operation ${accepted.operationId} .*\\nextension\\.install of c1/flux\\n  [\\d:.]+  accepted\\n(  [\\d:.]+  dispatched to a worker\\n)?  [\\d:.]+  attempt 1 started\\n(  [\\d:.]+  simulated (readRelease|install): Succeeded in \\d+ ms\\n){2}  [\\d:.]+  finished: Succeeded\\nSucceeded: extension\\.install of c1/flux in \\d+\\.\\d s\\n$`,
      ),
    )
    const shown = await arcext(['ext', 'show', 'flux', '-c', 'c1'])
    expect(shown.stdout).toMatch(/^State +Succeeded$/m)
    expect(shown.stdout).toMatch(/^Settings +\{"multiTenancy\.enforce":"false"\}$/m)
    const operation = json<{ status: string; timeline: { event: string }[] }>(await arcext(['ops', 'show', accepted.operationId, '-o', 'json']))
    expect(operation.status).toBe('Succeeded')
    expect(operation.timeline.at(-1)).toMatchObject({ event: 'finished', status: 'Succeeded' })
  })

  it('reproduces an injected install failure, and retries it once the fault is removed', async () => {
    const faultId = (await arcext(['faults', 'add', '--kind', 'failInstall', '-c', 'c1', '--extension-type', 'microsoft.dapr', '--message', 'the chart refused'])).stdout.trim()
    expect(faultId).toMatch(/^[0-9a-f-]{36}$/)
    const faults = await arcext(['faults', 'ls'])
    expect(faults.stdout).toMatch(new RegExp(`^ID +KIND +CLUSTER +TYPE +TRANSIENT +INJECTED +REMAINING +SOURCE\\n${faultId} +failInstall +c1 +microsoft\\.dapr +false +0 +unlimited +api\\n$`))

    const failed = await arcext(['ext', 'install', 'dapr', '-c', 'c1', '-t', 'microsoft.dapr', '--wait', '--interval', '0.1'])
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(/finished: Failed \(HelmInstallFailed\)\nFailed: extension\.install of c1\/dapr in/)
    expect(failed.stderr).toMatch(/^HelmInstallFailed: Helm install of release 'dapr' .*the chart refused/)

    const [failedOp] = json<{ id: string; kind: string; error: { code: string } }[]>(await arcext(['ops', 'ls', '--status', 'Failed', '-c', 'c1', '-o', 'json']))
    expect(failedOp).toMatchObject({ kind: 'extension.install', error: { code: 'HelmInstallFailed' } })
    const table = await arcext(['ops', 'ls', '-c', 'c1'])
    expect(table.stdout).toMatch(new RegExp(`^ID +KIND +RESOURCE +STATUS +ATTEMPTS +STARTED +ERROR\\n${failedOp!.id} +extension\\.install +c1/dapr +Failed +1 +\\S+ +HelmInstallFailed\\n`))

    expect(await arcext(['faults', 'rm', faultId])).toMatchObject({ code: 0, stdout: `Removed fault rule ${faultId}\n` })
    expect((await arcext(['faults', 'ls', '-o', 'json'])).stdout).toBe('[]\n')
    const retried = await arcext(['ops', 'retry', failedOp!.id, '--watch', '--interval', '0.1'])
    expect(retried.code, retried.stderr).toBe(0)
    expect(retried.stdout).toMatch(new RegExp(`^Retrying ${failedOp!.id} as operation [0-9a-f-]{36}\\n`))
    expect(retried.stdout).toMatch(/Succeeded: extension\.update of c1\/dapr in/)

    const again = await arcext(['ops', 'retry', failedOp!.id])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(
      new RegExp(`^OperationNotRetryable: The operation '${failedOp!.id}' cannot be retried: operation '[0-9a-f-]{36}' \\(extension\\.update, Succeeded\\) on the same resource came after it\\.\\n$`),
    )
  })

  it('stops watching at --timeout while the operation keeps running', async () => {
    await arcext(['faults', 'add', '--id', 'slow-osm', '--kind', 'latency', '-c', 'c1', '--extension-type', 'microsoft.openservicemesh', '--duration-ms', '3000'])
    const accepted = json<{ operationId: string }>(await arcext(['ext', 'install', 'osm', '-c', 'c1', '-t', 'microsoft.openservicemesh', '--release-train', 'stable', '-o', 'json']))
    const watched = await arcext(['ops', 'show', accepted.operationId, '--watch', '--timeout', '0.5', '--interval', '0.1'])
    expect(watched.code).toBe(1)
    expect(watched.stderr).toBe(`operation ${accepted.operationId} is still InProgress after 0.5 s (--timeout); it keeps running\n`)
    // On a terminal (a pty from util-linux's script) a status line is redrawn in place until the operation ends.
    const command = `${process.execPath} ${BIN} ops show ${accepted.operationId} --watch --interval 0.1`
    const onTerminal = await run('script', ['-qec', command, '/dev/null'], { ARCEXT_URL: h.baseUrl, TERM: 'xterm' })
    expect(onTerminal.code, onTerminal.stdout).toBe(0)
    // The erase-line sequence (carriage return, ESC [2K) spelt out, so the patterns below read it.
    const screen = onTerminal.stdout.replaceAll('\r\x1b[2K', '<erase>')
    expect(screen).toMatch(/<erase>[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] InProgress {2}attempt 1( {2}\d+%)? {2}\d+\.\d s/)
    expect(screen).toMatch(/<erase>( {2}[\d:.]+ {2}simulated \w+: Succeeded in \d+ ms\r?\n)* {2}[\d:.]+ {2}finished: Succeeded\r?\nSucceeded: extension\.install of c1\/osm/)
    await arcext(['faults', 'rm', 'slow-osm'])
  })

  it('lists and uninstalls extensions; a missing one is a one-line ARM error', async () => {
    const listed = await arcext(['ext', 'ls', '-c', cluster])
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME +TYPE +VERSION +TRAIN +AUTO-UPGRADE +STATE +ERROR$/)
    expect(listed.stdout).toMatch(/^dapr +microsoft\.dapr +\d+\.\d+\.\d+\S* +Stable +true +Succeeded +-$/m)
    expect(json<{ name: string }[]>(await arcext(['ext', 'ls', '-c', 'c1', '-o', 'json'])).map((e) => e.name)).toEqual(['dapr', 'flux', 'osm'])

    const removed = await arcext(['ext', 'rm', 'dapr', '-c', 'c1', '--wait', '--interval', '0.1'])
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.stdout).toMatch(/Succeeded: extension\.delete of c1\/dapr in/)
    const gone = await arcext(['ext', 'show', 'dapr', '-c', 'c1'])
    expect(gone).toMatchObject({ code: 1, stdout: '' })
    expect(gone.stderr).toBe(
      `ResourceNotFound: The Resource 'Microsoft.KubernetesConfiguration/extensions' with id '${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/dapr' was not found.\n`,
    )
    expect(await arcext(['ext', 'rm', 'dapr', '-c', 'c1'])).toMatchObject({ code: 0, stdout: 'dapr does not exist; nothing to delete\n' })
  })

  it('prints a token that curl can use', async () => {
    const token = await arcext(['token'])
    expect(token.code, token.stderr).toBe(0)
    expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const curl = await run('curl', ['-sS', '--fail', '-H', `Authorization: Bearer ${token.stdout.trim()}`, `${h.baseUrl}${cluster}?${CLUSTER_API}`], {})
    expect(curl.code, curl.stderr).toBe(0)
    expect(JSON.parse(curl.stdout)).toMatchObject({ id: cluster })
    expect(json<{ token_type: string; expires_on: number }>(await arcext(['token', '-o', 'json']))).toMatchObject({ token_type: 'Bearer', expires_on: expect.any(Number) })
  })

  it('refuses wrong command lines with exit 2 and resets only with --yes', async () => {
    expect(await arcext(['bogus'])).toMatchObject({ code: 2, stderr: "unknown command 'bogus' (arcext --help lists the commands)\n" })
    expect(await arcext(['ext', 'ls'])).toMatchObject({ code: 2, stderr: 'name the cluster with -c/--cluster (a name with -s and -g, or a resource id) (arcext --help lists the commands)\n' })
    expect((await arcext(['clusters', 'ls', '--nope'])).code).toBe(2)
    expect((await arcext(['status', '-o', 'yaml'])).code).toBe(2)
    const help = await arcext(['--help'])
    expect(help.code).toBe(0)
    for (const command of [
      'status',
      'wait-ready',
      'clusters ls',
      'clusters show',
      'clusters register',
      'ext ls',
      'ext show',
      'ext install',
      'ext whatif',
      'ext rollback',
      'ext rm',
      'ops ls',
      'ops show',
      'ops retry',
      'faults ls',
      'faults add',
      'faults rm',
      'sim releases',
      'sim tamper',
      'reset',
      'token',
    ]) {
      expect(help.stdout).toContain(`\n  ${command} `)
    }

    expect(await arcext(['reset'])).toMatchObject({ code: 2, stdout: '' })
    expect(json<{ id: string }[]>(await arcext(['clusters', 'ls', '-o', 'json']))).toHaveLength(1)
    const reset = json<{ removed: { clusters: number; extensions: number; operations: number } }>(await arcext(['reset', '--yes', '-o', 'json']))
    expect(reset.removed.clusters).toBe(1)
    expect(reset.removed.extensions).toBe(2)
    expect(reset.removed.operations).toBe(5)
    expect((await arcext(['clusters', 'ls'])).stdout).toBe('(no clusters)\n')
    expect((await arcext(['ops', 'ls'])).stdout).toBe('(no operations)\n')
  })

  it('runs as `npx arcext` from the repository', async () => {
    const viaNpx = await run('npx', ['--offline', 'arcext', 'status', '-o', 'json'], { ARCEXT_URL: h.baseUrl })
    expect(json<{ ready: boolean }>(viaNpx).ready).toBe(true)
  })
})

describe('arcext against a jwt-mode instance', () => {
  let h: IsolatedHarness
  const owner = { id: randomUUID(), secret: `s-${randomUUID()}` }

  beforeAll(async () => {
    const dir = tempDir()
    const policy = { principals: [{ appid: owner.id, credentials: { secretHash: secretHash(owner.secret) }, roleAssignments: [{ role: 'Owner', scope: '/' }] }] }
    // A database of its own, so no other suite's fault rules show up in `faults ls`.
    h = await startIsolatedHarness({ worker: false, env: jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(await signingKey('ES256'))) }, writeJson(dir, 'policy.json', policy)) })
  })
  afterAll(() => h?.close())

  const arcext = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [BIN, ...args], { ARCEXT_URL: h.baseUrl, ...env })

  it('gets a token for the policy credentials only, and that token opens the API and the operator endpoints', async () => {
    const refused = await arcext(['token', '--client-id', owner.id, '--client-secret', 'wrong'])
    expect(refused).toMatchObject({ code: 1, stderr: 'invalid_client: The client id or client secret is not valid.\n' })
    const token = (await arcext(['token'], { ARCEXT_CLIENT_ID: owner.id, ARCEXT_CLIENT_SECRET: owner.secret })).stdout.trim()
    expect(token).toMatch(/^eyJ/)

    const anonymous = await arcext(['ops', 'ls'])
    expect(anonymous.code).toBe(1)
    expect(anonymous.stderr).toMatch(/^AuthenticationFailed: /)
    const sub = randomUUID()
    expect((await arcext(['clusters', 'register', 'c1', '-s', sub, '-g', 'rg1', '--token', token])).code).toBe(0)
    expect(json(await arcext(['clusters', 'ls', '-s', sub, '-o', 'json'], { ARCEXT_TOKEN: token }))).toHaveLength(1)
    expect((await arcext(['faults', 'ls'], { ARCEXT_TOKEN: token })).stdout).toBe('(no fault rules)\n')
  })

  function json<T>(result: Run): T {
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout) as T
  }
})
