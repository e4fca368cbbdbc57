// A real RP for tests: the api listening on ephemeral HTTP and HTTPS ports and a worker process object, both on
// this run's own database and a queue prefix unique to the harness. Nothing is mocked.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { InjectOptions } from 'fastify'
import type { DestinationStream } from 'pino'
import { inject } from 'vitest'
import { deleteKeysWithPrefix } from './isolation.js'
import { loadConfig, type Config } from '../../core/config.js'
import { startApi, type RunningApi } from '../../api/server.js'
import { startWorkerProcess } from '../../workers/worker-process.js'

/** The api with both listeners on, as every harness starts it (PORT=off tests start the api themselves). */
export type ListeningApi = RunningApi & { httpUrl: string; httpsUrl: string; certFile: string }

export function withBothListeners(api: RunningApi): ListeningApi {
  const { httpUrl, httpsUrl, certFile } = api
  if (httpUrl === undefined || httpsUrl === undefined || certFile === undefined) throw new Error('the test needs both the HTTP and the HTTPS listener')
  return { ...api, httpUrl, httpsUrl, certFile }
}

export interface Harness {
  config: Config
  api: ListeningApi
  /** Absolute base URL over plain HTTP. */
  baseUrl: string
  /** Set with `transport: 'inject'`: `call` hands requests to the app in-process instead of over a socket. */
  inject?: InProcessTransport
  stopWorker(): Promise<void>
  close(): Promise<void>
}

export interface HarnessOptions {
  worker?: boolean
  env?: Record<string, string>
  /** Where the api and the worker log (stdout by default); set LOG_LEVEL in `env` to see anything. */
  logDestination?: DestinationStream
  /**
   * 'inject' sends `call`'s requests through Fastify's `inject` (no socket, no HTTP parsing): for suites about what
   * the api answers, where a socket adds nothing. Suites about the listeners, the request gate, TLS or real clients
   * keep the default, 'socket'. The listeners still run, and the requests carry the HTTP listener's Host, so every
   * URL the api writes into an answer is the same either way.
   */
  transport?: 'socket' | 'inject'
}

type InProcessTransport = (method: string, pathAndQuery: string, headers: Record<string, string>, payload: string | undefined) => Promise<ArmResponse<unknown>>

function inProcessTransport(api: ListeningApi): InProcessTransport {
  const host = new URL(api.httpUrl).host
  return async (method, pathAndQuery, headers, payload) => {
    const response = await api.app.inject({ method: method as InjectOptions['method'], url: pathAndQuery, headers: { host, ...headers }, payload, remoteAddress: '127.0.0.1' })
    const answered = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) answered.append(name, String(one))
    }
    return { status: response.statusCode, headers: answered, body: response.body ? (JSON.parse(response.body) as unknown) : undefined }
  }
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-test-'))
  return loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `${inject('queuePrefixBase')}-${randomUUID().slice(0, 8)}`,
    DATA_DIR: dataDir,
    // One key for the whole run: every api and worker checks at start that it can open what the shared database
    // holds. ENCRYPTION_KEY: '' selects the keyring file in DATA_DIR instead.
    ENCRYPTION_KEY: inject('encryptionKey'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    HTTPS_PORT: '0',
    // A drift pass runs as soon as a worker starts and looks at every extension of the database, which suites share:
    // off unless a suite turns it on (on a database of its own, as test/drift does).
    DRIFT_CHECK_SECONDS: '0',
    ...sharedTlsEnv(),
    ...overrides,
  })
}

/** The run's one TLS key and certificate (see test/global-setup.ts); for configs built without testConfig. */
export function sharedTlsEnv(): { TLS_CERT_FILE: string; TLS_KEY_FILE: string } {
  return { TLS_CERT_FILE: inject('tlsCertFile'), TLS_KEY_FILE: inject('tlsKeyFile') }
}

/** Overrides for testConfig/startHarness that make the api generate its own certificate into DATA_DIR/tls. */
export const GENERATED_TLS = { TLS_CERT_FILE: '', TLS_KEY_FILE: '' } as const

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const config = testConfig(options.env)
  const api = withBothListeners(await startApi(config, { logDestination: options.logDestination }))
  let worker = options.worker === false ? null : await startWorkerProcess(config, { reconcileIntervalMs: 500, reconcileGraceMs: 1000, logDestination: options.logDestination })
  return {
    config,
    api,
    baseUrl: api.httpUrl,
    ...(options.transport === 'inject' ? { inject: inProcessTransport(api) } : {}),
    async stopWorker() {
      await worker?.stop()
      worker = null
    },
    async close() {
      const serverErrors = [...api.app.responseStats.recentServerErrors]
      await worker?.stop()
      await api.stop()
      await deleteKeysWithPrefix(config.redisUrl, `${config.queuePrefix}:`)
      rmSync(config.dataDir, { recursive: true, force: true })
      // No request in the suite may yield a 5xx: bad input is a 4xx envelope, everything else must work.
      if (serverErrors.length) throw new Error(`the api answered with server errors: ${JSON.stringify(serverErrors)}`)
    },
  }
}

/** A subscription id no other test uses, so tests never see each other's resources. */
export function freshSubscription(): string {
  return randomUUID()
}

export interface ArmResponse<T = Record<string, unknown>> {
  status: number
  headers: Headers
  body: T
}

export async function call<T = Record<string, unknown>>(
  harness: Pick<Harness, 'baseUrl' | 'inject'>,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ArmResponse<T>> {
  const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${harness.baseUrl}${pathAndQuery}`
  const allHeaders = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  if (harness.inject && url.startsWith(`${harness.baseUrl}/`)) {
    return (await harness.inject(method, url.slice(harness.baseUrl.length), allHeaders, payload)) as ArmResponse<T>
  }
  const response = await fetch(url, { method, headers: allHeaders, body: payload })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T }
}

/** For `expect.poll`: the patience `until` has (vitest's default is one second). */
export const POLL = { timeout: 15_000, interval: 50 }

/** An extension's provisioningState as a GET answers it (undefined while it does not exist), for `expect.poll`. */
export async function provisioningState(h: Pick<Harness, 'baseUrl'>, extensionUrl: string): Promise<string | undefined> {
  return (await call<{ properties?: { provisioningState?: string } }>(h, 'GET', extensionUrl)).body?.properties?.provisioningState
}

/** Waits for `done(probe())` and returns that value; where the value is not needed, `expect.poll(probe, POLL)` reads better. */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline) {
      const last = JSON.stringify(value) ?? String(value)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${last.length > 4000 ? `${last.slice(0, 4000)}… (${last.length} chars)` : last}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export const clusterPath = (subscription: string, cluster = 'cluster1', rg = 'rg1') => `/subscriptions/${subscription}/resourceGroups/${rg}/providers/Microsoft.Kubernetes/connectedClusters/${cluster}`

export const extensionPath = (subscription: string, name: string, cluster = 'cluster1', rg = 'rg1') =>
  `${clusterPath(subscription, cluster, rg)}/providers/Microsoft.KubernetesConfiguration/extensions/${name}`

export const CLUSTER_API = 'api-version=2024-01-01'
export const EXTENSION_API = 'api-version=2023-05-01'

export const compatibleCluster = {
  location: 'eastus',
  properties: { distribution: 'k3s', infrastructure: 'generic', kubernetesVersion: '1.30.4', totalNodeCount: 3, miscellaneousProperties: { architecture: 'amd64' } },
}

export interface ClusterRegistration {
  rg?: string
  /** The cluster's PUT body; `compatibleCluster` (which every catalog extension accepts) by default. */
  body?: unknown
  /** Extra request headers, e.g. a bearer token. */
  headers?: Record<string, string>
}

/**
 * Registers (creates or replaces) a connected cluster for a test to work on, and returns its resource path. Throws
 * unless the api answers 200 or 201: tests whose subject is the registration itself assert on `call` instead.
 */
export async function registerCluster(h: Pick<Harness, 'baseUrl'>, subscription: string, cluster = 'cluster1', options: ClusterRegistration = {}): Promise<string> {
  const path = clusterPath(subscription, cluster, options.rg)
  const put = await call(h, 'PUT', `${path}?${CLUSTER_API}`, options.body ?? compatibleCluster, options.headers)
  if (put.status !== 201 && put.status !== 200) throw new Error(`registering ${path} answered ${put.status}: ${JSON.stringify(put.body)}`)
  return path
}

/** What API Management's gateway requires besides its namespace (catalog settingsRules): its endpoint and, protected, its token. */
export const APIM_SETTINGS = {
  configurationSettings: { 'gateway.configuration.uri': 'https://contoso.configuration.azure-api.net' },
  configurationProtectedSettings: { 'gateway.auth.token': 'GatewayKey test-token' },
} as const
