// Debian's Azure CLI (`apt-get install azure-cli`, 2.45) pointed at arcext alone: it registers a cloud from arcext's
// URL, signs in with a service principal and with a managed identity, lists subscriptions, reads the provider and an
// extension. Every proxy variable points at a listener that records connections, with NO_PROXY covering only arcext,
// so any request to another host (Microsoft's login, telemetry, instance discovery) fails the test.
import { execFile } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

function findAz(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(dir, 'az'), constants.X_OK)
      return path.join(dir, 'az')
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/**
 * On its first run in a config directory the CLI checks GitHub for a newer version of itself (after a HEAD to
 * azure.microsoft.com), whatever cloud it is pointed at. That is the CLI's own update check, not a request arcext's
 * cloud causes, so the test records the installed versions as already checked, as a previous run would have.
 */
async function recordVersionCheck(azPath: string, configDir: string): Promise<void> {
  const interpreter = /^#!\s*(\S*python\S*)/.exec(readFileSync(azPath, 'utf8').split('\n')[0] ?? '')?.[1]
  if (interpreter === undefined) return // not Debian's packaging: the update check, if any, shows in the last assertion
  const script = [
    'import datetime, json, sys, importlib.metadata as m',
    "v = {'azure-cli': m.version('azure-cli'), 'core': m.version('azure-cli-core'), 'telemetry': m.version('azure-cli-telemetry')}",
    "stamp = datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S.%f')",
    "json.dump({'versions': {k: {'local': x, 'pypi': x} for k, x in v.items()}, 'update_time': stamp, 'version_check_time': stamp}, open(sys.argv[1], 'w'))",
  ].join('\n')
  await promisify(execFile)(interpreter, ['-c', script, path.join(configDir, 'versionCheck.json')], { timeout: 30_000 })
}

const az = findAz()
if (!az) console.warn('test/front-door/azure-cli.test.ts: SKIPPED, the Azure CLI (az) is not installed; `apt-get install -y azure-cli` (.ci/run does it) to run it.')

describe.skipIf(!az)('the Azure CLI against arcext alone', () => {
  let h: Harness
  let configDir: string
  let trap: Server
  const outsideConnections: string[] = []
  /** The command running, so a request to another host names the command that sent it. */
  let running = ''
  const subscription = randomUUID()
  let extensionUrl: string
  let env: Record<string, string>

  const run = async (...args: string[]): Promise<string> => {
    running = `az ${args.join(' ')}`
    try {
      const { stdout } = await promisify(execFile)(az!, args, { env, timeout: 90_000 })
      return stdout
    } catch (error) {
      const failure = error as Error & { stdout?: string; stderr?: string }
      throw new Error(`az ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`)
    }
  }
  const json = async (...args: string[]): Promise<Json> => JSON.parse(await run(...args, '--output', 'json')) as Json

  beforeAll(async () => {
    h = await startHarness({ worker: false })
    trap = createServer((socket) => {
      socket.once('data', (data) => outsideConnections.push(`${running}: ${data.toString('latin1').split('\r\n')[0] ?? ''}`))
      socket.on('error', () => undefined)
      setTimeout(() => socket.destroy(), 50)
    })
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve))
    const proxy = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`
    configDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-az-'))
    env = {
      PATH: process.env.PATH ?? '',
      HOME: configDir,
      AZURE_CONFIG_DIR: configDir,
      REQUESTS_CA_BUNDLE: h.api.certFile,
      HTTPS_PROXY: proxy,
      HTTP_PROXY: proxy,
      https_proxy: proxy,
      http_proxy: proxy,
      NO_PROXY: '127.0.0.1',
      no_proxy: '127.0.0.1',
      AZURE_CORE_COLLECT_TELEMETRY: 'false',
      AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
      AZURE_CORE_NO_COLOR: 'true',
    }
    await recordVersionCheck(az!, configDir)
    const cluster = await registerCluster(h, subscription)
    extensionUrl = extensionPath(subscription, 'flux')
    expect(cluster).toBeDefined()
    const put = await call(h, 'PUT', `${extensionUrl}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status, JSON.stringify(put.body)).toBe(201)
  }, 120_000)

  afterAll(async () => {
    await new Promise((resolve) => trap?.close(resolve))
    if (configDir) rmSync(configDir, { recursive: true, force: true })
    await h?.close()
  })

  it('registers the cloud from the resource manager URL alone', { timeout: 120_000 }, async () => {
    await run('cloud', 'register', '-n', 'arcext', '--endpoint-resource-manager', `${h.api.httpsUrl}/`)
    await run('cloud', 'set', '-n', 'arcext')
    const cloud = await json('cloud', 'show', '-n', 'arcext')
    expect(cloud.endpoints).toMatchObject({ resourceManager: `${h.api.httpsUrl}/`, activeDirectory: `${h.api.httpsUrl}/adfs`, activeDirectoryResourceId: `${h.api.httpsUrl}/` })
  })

  it('signs in with a service principal and lists the subscriptions', { timeout: 120_000 }, async () => {
    const clientId = randomUUID()
    const accounts = await json('login', '--service-principal', '-u', clientId, '-p', 'dev-mode-secret', '--tenant', h.config.azureTenantId)
    expect(accounts.map((account: Json) => account.id)).toContain(subscription)
    const listed = await json('account', 'list')
    expect(listed.find((account: Json) => account.id === subscription)).toMatchObject({ user: { name: clientId, type: 'servicePrincipal' }, state: 'Enabled' })
  })

  it('reads the provider and an extension', { timeout: 120_000 }, async () => {
    await run('account', 'set', '--subscription', subscription)
    const provider = await json('provider', 'show', '-n', 'Microsoft.KubernetesConfiguration')
    expect(provider).toMatchObject({ namespace: 'Microsoft.KubernetesConfiguration', registrationState: 'Registered' })
    const extension = await json('rest', '--method', 'get', '--url', `${h.api.httpsUrl}${extensionUrl}?${EXTENSION_API}`)
    expect(extension).toMatchObject({ name: 'flux', properties: { extensionType: 'microsoft.flux' } })
  })

  it('signs in with a managed identity through MSI_ENDPOINT', { timeout: 120_000 }, async () => {
    env = { ...env, MSI_ENDPOINT: `${h.api.httpsUrl}/adfs/managed-identity/token` }
    const accounts = await json('login', '--identity')
    expect(accounts.map((account: Json) => account.id)).toContain(subscription)
    const provider = await json('provider', 'show', '-n', 'Microsoft.KubernetesConfiguration', '--subscription', subscription)
    expect(provider.registrationState).toBe('Registered')
  })

  it('sent nothing to any other host', () => {
    expect(outsideConnections).toEqual([])
  })
})
