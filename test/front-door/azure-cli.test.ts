// Debian's Azure CLI (`apt-get install azure-cli`, 2.45) pointed at arcext alone: it registers a cloud from arcext's
// URL, signs in with a service principal and with a managed identity, lists subscriptions, reads the provider and an
// extension. Every proxy variable points at a listener that records connections, with NO_PROXY covering only arcext,
// so any request to another host (Microsoft's login, telemetry, instance discovery) fails the test.
import { execFile } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { bearer, jwks, jwtEnv, signingKey, tempDir, token, writeJson } from '../auth/support.js'
import { secretHash } from './support.js'

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

interface AzSession {
  run(...args: string[]): Promise<string>
  json(...args: string[]): Promise<Json>
  /** Runs a command that must fail, and returns what it wrote to stderr. */
  failure(...args: string[]): Promise<string>
  env: Record<string, string>
  /** The first line of every request that went to the recording proxy, prefixed with the command that sent it. */
  outsideConnections: string[]
  close(): Promise<void>
}

/**
 * A private AZURE_CONFIG_DIR trusting arcext's certificate, with every proxy variable pointing at a listener that
 * records connections and NO_PROXY covering only arcext.
 */
async function azSession(h: Harness): Promise<AzSession> {
  const outsideConnections: string[] = []
  let running = ''
  const trap = createServer((socket) => {
    socket.once('data', (data) => outsideConnections.push(`${running}: ${data.toString('latin1').split('\r\n')[0] ?? ''}`))
    socket.on('error', () => undefined)
    setTimeout(() => socket.destroy(), 50)
  })
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve))
  const proxy = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-az-'))
  const env: Record<string, string> = {
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
  const session: AzSession = {
    env,
    outsideConnections,
    async run(...args) {
      running = `az ${args.join(' ')}`
      try {
        return (await promisify(execFile)(az!, args, { env: session.env, timeout: 90_000 })).stdout
      } catch (error) {
        const failure = error as Error & { stderr?: string }
        throw new Error(`az ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`)
      }
    },
    json: async (...args) => JSON.parse(await session.run(...args, '--output', 'json')) as Json,
    async failure(...args) {
      running = `az ${args.join(' ')}`
      const outcome = await promisify(execFile)(az!, args, { env: session.env, timeout: 90_000 }).then(
        () => undefined,
        (error: Error & { stderr?: string }) => error.stderr ?? error.message,
      )
      if (outcome === undefined) throw new Error(`az ${args.join(' ')} succeeded; it should have failed`)
      return outcome
    },
    async close() {
      await new Promise((resolve) => trap.close(resolve))
      rmSync(configDir, { recursive: true, force: true })
    },
  }
  await session.run('cloud', 'register', '-n', 'arcext', '--endpoint-resource-manager', `${h.api.httpsUrl}/`)
  await session.run('cloud', 'set', '-n', 'arcext')
  return session
}

const CLI_TIMEOUT = { timeout: 120_000 }

describe.skipIf(!az)('the Azure CLI against arcext alone, dev mode', () => {
  let h: Harness
  let az$: AzSession
  const subscription = randomUUID()
  const extensionUrl = extensionPath(subscription, 'flux')

  beforeAll(async () => {
    h = await startHarness({ worker: false })
    await registerCluster(h, subscription)
    const put = await call(h, 'PUT', `${extensionUrl}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status, JSON.stringify(put.body)).toBe(201)
    az$ = await azSession(h)
  }, 120_000)

  afterAll(async () => {
    await az$?.close()
    await h?.close()
  })

  it('registered the cloud from the resource manager URL alone', CLI_TIMEOUT, async () => {
    const cloud = await az$.json('cloud', 'show', '-n', 'arcext')
    expect(cloud.endpoints).toMatchObject({ resourceManager: `${h.api.httpsUrl}/`, activeDirectory: `${h.api.httpsUrl}/adfs`, activeDirectoryResourceId: `${h.api.httpsUrl}/` })
  })

  it('signs in with a service principal and lists the subscriptions', CLI_TIMEOUT, async () => {
    const clientId = randomUUID()
    const accounts = await az$.json('login', '--service-principal', '-u', clientId, '-p', 'dev-mode-secret', '--tenant', h.config.azureTenantId)
    expect(accounts.map((account: Json) => account.id)).toEqual(expect.arrayContaining([subscription, h.config.defaultSubscriptionId]))
    const listed = await az$.json('account', 'list')
    expect(listed.find((account: Json) => account.id === subscription)).toMatchObject({ user: { name: clientId, type: 'servicePrincipal' }, state: 'Enabled' })
  })

  it('reads the provider and an extension', CLI_TIMEOUT, async () => {
    await az$.run('account', 'set', '--subscription', subscription)
    const provider = await az$.json('provider', 'show', '-n', 'Microsoft.KubernetesConfiguration')
    expect(provider).toMatchObject({ namespace: 'Microsoft.KubernetesConfiguration', registrationState: 'Registered' })
    const extension = await az$.json('rest', '--method', 'get', '--url', `${h.api.httpsUrl}${extensionUrl}?${EXTENSION_API}`)
    expect(extension).toMatchObject({ name: 'flux', properties: { extensionType: 'microsoft.flux' } })
  })

  it('signs in with a managed identity through MSI_ENDPOINT', CLI_TIMEOUT, async () => {
    az$.env = { ...az$.env, MSI_ENDPOINT: `${h.api.httpsUrl}/adfs/managed-identity/token` }
    const accounts = await az$.json('login', '--identity')
    expect(accounts.map((account: Json) => account.id)).toContain(subscription)
    const provider = await az$.json('provider', 'show', '-n', 'Microsoft.KubernetesConfiguration', '--subscription', subscription)
    expect(provider.registrationState).toBe('Registered')
  })

  it('sent nothing to any other host', () => {
    expect(az$.outsideConnections).toEqual([])
  })
})

describe.skipIf(!az)('the Azure CLI against arcext alone, jwt mode', () => {
  let h: Harness
  let az$: AzSession
  const subscription = randomUUID()
  const app = { id: randomUUID(), secret: `s-${randomUUID()}` }
  const user = { oid: randomUUID(), name: 'ada@contoso.com', password: `p-${randomUUID()}` }

  beforeAll(async () => {
    const operatorKey = await signingKey('ES256')
    const dir = tempDir()
    const policy = {
      principals: [
        { appid: app.id, credentials: { secretHash: secretHash(app.secret) }, roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${subscription}` }] },
        { oid: user.oid, credentials: { userName: user.name, secretHash: secretHash(user.password) }, roleAssignments: [{ role: 'Reader', scope: `/subscriptions/${subscription}` }] },
        { oid: 'operator', roleAssignments: [{ role: 'Owner', scope: '/' }] },
      ],
    }
    h = await startHarness({ worker: false, env: jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(operatorKey)) }, writeJson(dir, 'policy.json', policy)) })
    await registerCluster(h, subscription, 'cluster1', { headers: bearer(await token(operatorKey, { claims: { oid: 'operator' } })) })
    az$ = await azSession(h)
  }, 120_000)

  afterAll(async () => {
    await az$?.close()
    await h?.close()
  })

  it('signs in only with the secret in the policy file', CLI_TIMEOUT, async () => {
    expect(await az$.failure('login', '--service-principal', '-u', app.id, '-p', 'wrong', '--tenant', h.config.azureTenantId)).toMatch(/invalid_client|client id or client secret/)
    const accounts = await az$.json('login', '--service-principal', '-u', app.id, '-p', app.secret, '--tenant', h.config.azureTenantId)
    expect(accounts.map((account: Json) => account.id)).toEqual([subscription])
    const clusters = await az$.json('rest', '--method', 'get', '--url', `${h.api.httpsUrl}/subscriptions/${subscription}/providers/Microsoft.Kubernetes/connectedClusters?api-version=2024-01-01`)
    expect(clusters.value.map((cluster: Json) => cluster.name)).toEqual(['cluster1'])
  })

  it('signs a user in with user name and password', CLI_TIMEOUT, async () => {
    const accounts = await az$.json('login', '-u', user.name, '-p', user.password)
    expect(accounts).toEqual([expect.objectContaining({ id: subscription, user: { name: user.name, type: 'user' } })])
    const provider = await az$.json('provider', 'show', '-n', 'Microsoft.KubernetesConfiguration')
    expect(provider.registrationState).toBe('Registered')
  })

  it('sent nothing to any other host', () => {
    expect(az$.outsideConnections).toEqual([])
  })
})
