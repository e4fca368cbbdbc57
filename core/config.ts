// Configuration comes only from the environment; every variable and its default is documented in README.md.
import { isIP } from 'node:net'
import path from 'node:path'
import { decodeKeyText } from './keyring.js'
import type { LogFormat } from './logger.js'
import { isGuid } from './domain/guid.js'
import { DRIFT_REPAIR_MODES, type DriftRepairMode } from './domain/drift.js'

export interface Config {
  host: string
  /** Plain HTTP port, or null when `PORT=off` (HTTPS only). */
  port: number | null
  /** HTTPS port, or null when `HTTPS_PORT=off`. */
  httpsPort: number | null
  /** WORKER_METRICS_PORT: where a worker serves its own /metrics (on HOST); null (`off`, the default) for none. */
  workerMetricsPort: number | null
  tlsCertFile: string | undefined
  tlsKeyFile: string | undefined
  dataDir: string
  databaseUrl: string
  /** The Redis server; with REDIS_CLUSTER_NODES, the first cluster node (what startup messages name). */
  redisUrl: string
  /** REDIS_CLUSTER_NODES: seed nodes of a Redis Cluster as redis:// URLs; empty for one Redis server (REDIS_URL). */
  redisClusterNodes: string[]
  /** Prefix of every BullMQ key; on a Redis Cluster QUEUE_PREFIX wrapped in a hash tag, `{arcext}` (core/queue.ts). */
  queuePrefix: string
  logLevel: string
  /** LOG_FORMAT: auto (pretty on a terminal, JSON otherwise), json or pretty. */
  logFormat: LogFormat
  /** Jobs one worker process runs at once. */
  workerConcurrency: number
  /** Public base URL for Location / Azure-AsyncOperation / nextLink when no `referer` is sent (docs/arm-rules.md rule 15). */
  publicBaseUrl: string | undefined
  /** Hex/base64 32-byte key for sealing secrets; when absent the keyring file DATA_DIR/keys/keyring.json is used. */
  encryptionKey: string | undefined
  /** ENCRYPTION_KEYS_PREVIOUS: older keys, used only to open what they sealed (core/keyring.ts). */
  encryptionKeysPrevious: string[]
  /** Latency the simulated driver adds to each step, in milliseconds. */
  simulatedStepLatencyMs: number
  /** SIMULATED_FAULTS: JSON array of fault rules the worker loads at start (workers/drivers/simulated). */
  simulatedFaults: string | undefined
  /** SEED_FILE: absolute path of the YAML or JSON file of clusters, extensions and fault rules the api applies at start (api/seed). */
  seedFile: string | undefined
  /** The helm executable the helm driver runs. */
  helmBin: string
  /** Where the helm driver finds one chart per extension type: `<repository>/<extension type>`. */
  helmChartRepository: string | undefined
  /** How long `helm upgrade --wait` and `helm uninstall --wait` wait for resources, in seconds. */
  helmTimeoutSeconds: number
  /** Seconds clients are told to wait between polls (docs/arm-rules.md rule 37). */
  retryAfterSeconds: number
  /** AZURE_TENANT_ID: the tenant of extensions' system-assigned identities, of subscriptions and of the built-in authority's tokens. */
  azureTenantId: string
  /** DEFAULT_SUBSCRIPTION_ID: the subscription dev mode lists even before any cluster is registered (`az login` needs one). */
  defaultSubscriptionId: string
  /** An operation not terminal this long after it was accepted is failed (workers/operation-worker.ts, reconciler). */
  operationDeadlineSeconds: number
  /** How often each worker's reconciler re-delivers lost jobs and fails overdue operations. */
  reconcileIntervalMs: number
  /** How long a job of a worker that died stays locked before another worker takes it over (BullMQ lockDuration). */
  jobStallMs: number
  /** How often workers look for auto-upgradable extensions (a BullMQ job scheduler); 0 turns auto-upgrade off. */
  autoUpgradeIntervalSeconds: number
  /** DRIFT_CHECK_SECONDS: how often workers observe installed releases for drift (a BullMQ job scheduler); 0 turns it off. */
  driftCheckSeconds: number
  /** DRIFT_REPAIR: what drift leads to unless an extension's `arcext.driftRepair` setting says otherwise. */
  driftRepair: DriftRepairMode
  /** Azure's request token buckets (docs/arm-rules.md rule 56, api/arm/throttling.ts), or null when `THROTTLING=off`. */
  throttle: ThrottleConfig | null
  /** Who may call the api (api/auth). */
  auth: AuthConfig
  // Cluster credentials (core/kubeconfig-rules.ts, workers/drivers/helm/helm-environment.ts).
  /** KUBECONFIG_EXEC_ALLOWLIST: kubeconfig `exec` commands allowed to run on worker hosts (exact match). */
  kubeconfigExecAllowlist: string[]
  /** HELM_ENV_PASSTHROUGH: further environment variables handed to helm beyond the built-in allow-list. */
  helmEnvPassthrough: string[]
  // Request hygiene and listeners (api/arm/request-gate.ts, api/listeners.ts, api/tls.ts).
  /** Host header names (lower-case, IPv6 in brackets, no port) the service answers to; any other is 421. */
  allowedHosts: string[]
  /** Extra DNS names and IP addresses for the generated TLS certificate. */
  tlsSans: string[]
  /** Open connections each listener accepts; more are closed at once. */
  maxConnections: number
  /** Time a client has to send the request headers, and the whole request, in milliseconds. */
  headersTimeoutMs: number
  requestTimeoutMs: number
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not an integer between ${min} and ${max}`)
  }
  return value
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name]
  return raw === undefined || raw === '' ? fallback : raw
}

/** A connection URL with one of `schemes`; the message never repeats a password. */
function serviceUrl(env: Env, name: string, fallback: string, schemes: readonly string[], example: string): string {
  const raw = text(env, name, fallback)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(`${name} is not a URL; set it to one such as ${example}`)
  }
  if (!schemes.includes(url.protocol) || !url.hostname)
    throw new ConfigError(`${name}=${redactUrl(raw)} is not a ${schemes.map((scheme) => `${scheme}//`).join(' or ')} URL with a host; set it to one such as ${example}`)
  return raw
}

/** pino's levels, plus silent. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const LOG_FORMATS = ['auto', 'json', 'pretty'] as const

function logFormat(env: Env): LogFormat {
  const format = text(env, 'LOG_FORMAT', 'auto')
  const known = LOG_FORMATS.find((candidate) => candidate === format)
  if (!known) throw new ConfigError(`LOG_FORMAT=${format} is not a log format; set it to one of ${LOG_FORMATS.join(', ')}`)
  return known
}

function driftRepair(env: Env): DriftRepairMode {
  const mode = text(env, 'DRIFT_REPAIR', 'report')
  const known = DRIFT_REPAIR_MODES.find((candidate) => candidate === mode)
  if (!known) throw new ConfigError(`DRIFT_REPAIR=${mode} is not a drift repair mode; set it to one of ${DRIFT_REPAIR_MODES.join(', ')}`)
  return known
}

function logLevel(env: Env): string {
  const level = text(env, 'LOG_LEVEL', 'info')
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError(`LOG_LEVEL=${level} is not a log level; set it to one of ${LOG_LEVELS.join(', ')}`)
  return level
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name]
  return raw === undefined || raw === '' ? undefined : raw
}

// --- Authentication and authorization (AUTH_*), read by api/auth -------------------------------------------------

export type AuthMode = 'dev' | 'jwt'

export interface AuthConfig {
  /** dev: no token needed (loopback listeners only, unless opted in); jwt: a valid bearer token and a role. */
  mode: AuthMode
  /** AUTH_DEV_ALLOW_ALL_INTERFACES: dev mode on a non-loopback HOST, for containers behind a loopback-published port. */
  devAllowAllInterfaces: boolean
  jwksUrl: string | undefined
  jwksFile: string | undefined
  /** Least time between two fetches of AUTH_JWKS_URL that a token with an unknown `kid` can trigger. */
  jwksCooldownSeconds: number
  issuers: string[]
  audiences: string[]
  policyFile: string | undefined
}

function list(env: Env, name: string): string[] {
  return (optional(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

const LOOPBACK_HOSTNAMES = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

function authConfig(env: Env): AuthConfig {
  const mode = text(env, 'AUTH_MODE', 'dev')
  if (mode !== 'dev' && mode !== 'jwt') throw new ConfigError(`AUTH_MODE=${mode} is not one of dev, jwt`)
  const allowAll = text(env, 'AUTH_DEV_ALLOW_ALL_INTERFACES', 'false')
  if (allowAll !== 'true' && allowAll !== 'false') throw new ConfigError(`AUTH_DEV_ALLOW_ALL_INTERFACES=${allowAll} is not true or false`)
  const auth: AuthConfig = {
    mode,
    devAllowAllInterfaces: allowAll === 'true',
    jwksUrl: optional(env, 'AUTH_JWKS_URL'),
    jwksFile: optional(env, 'AUTH_JWKS_FILE'),
    jwksCooldownSeconds: integer(env, 'AUTH_JWKS_COOLDOWN_SECONDS', 30, 0, 3600),
    issuers: list(env, 'AUTH_ISSUER'),
    audiences: list(env, 'AUTH_AUDIENCE'),
    policyFile: optional(env, 'AUTH_POLICY_FILE'),
  }
  if (mode === 'dev') return auth
  if ((auth.jwksUrl === undefined) === (auth.jwksFile === undefined)) {
    throw new ConfigError("AUTH_MODE=jwt needs exactly one of AUTH_JWKS_URL (the issuer's JWKS endpoint) and AUTH_JWKS_FILE (a JWKS JSON file)")
  }
  if (auth.jwksUrl !== undefined) {
    let url: URL
    try {
      url = new URL(auth.jwksUrl)
    } catch {
      throw new ConfigError(`AUTH_JWKS_URL=${auth.jwksUrl} is not a URL`)
    }
    // Signing keys fetched in the clear could be swapped on the way; plain http only to this machine.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTNAMES.test(url.hostname))) {
      throw new ConfigError(`AUTH_JWKS_URL=${auth.jwksUrl} must be an https URL (http only for localhost)`)
    }
  }
  if (!auth.issuers.length) throw new ConfigError('AUTH_MODE=jwt needs AUTH_ISSUER: the accepted token issuers (iss), comma-separated')
  if (!auth.audiences.length) throw new ConfigError('AUTH_MODE=jwt needs AUTH_AUDIENCE: the accepted token audiences (aud), comma-separated')
  // Without a policy every request would be refused; a service that can only say 403 is a misconfiguration.
  if (auth.policyFile === undefined) throw new ConfigError('AUTH_MODE=jwt needs AUTH_POLICY_FILE: the role assignments (see README, Authorization)')
  return auth
}

/** Key material is validated here but never echoed: the message names the variable only. */
function encryptionKeys(env: Env): { encryptionKey: string | undefined; encryptionKeysPrevious: string[] } {
  const encryptionKey = optional(env, 'ENCRYPTION_KEY')
  const previous = (optional(env, 'ENCRYPTION_KEYS_PREVIOUS') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  if (encryptionKey !== undefined && !decodeKeyText(encryptionKey)) {
    throw new ConfigError('ENCRYPTION_KEY is not a 32-byte key as 64 hex characters or base64 (generate one with: openssl rand -hex 32)')
  }
  previous.forEach((entry, index) => {
    if (!decodeKeyText(entry)) throw new ConfigError(`ENCRYPTION_KEYS_PREVIOUS entry ${index + 1} is not a 32-byte key as 64 hex characters or base64`)
  })
  if (previous.length && encryptionKey === undefined) {
    throw new ConfigError('ENCRYPTION_KEYS_PREVIOUS is set without ENCRYPTION_KEY; set the current key too, or unset both to use DATA_DIR/keys/keyring.json')
  }
  return { encryptionKey, encryptionKeysPrevious: previous }
}

function execAllowlist(env: Env): string[] {
  const commands = list(env, 'KUBECONFIG_EXEC_ALLOWLIST')
  const bad = commands.find((command) => /[\s\p{Cc}]/u.test(command))
  if (bad !== undefined) throw new ConfigError('KUBECONFIG_EXEC_ALLOWLIST lists a command with whitespace or control characters; list commands such as kubelogin,aws')
  return commands
}

function helmEnvPassthrough(env: Env): string[] {
  const names = list(env, 'HELM_ENV_PASSTHROUGH')
  const bad = names.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
  if (bad !== undefined) throw new ConfigError(`HELM_ENV_PASSTHROUGH=${env.HELM_ENV_PASSTHROUGH} is not a comma-separated list of variable names`)
  // These would let the environment, not the cluster's stored kubeconfig, decide which cluster helm talks to.
  const steering = names.find((name) => name === 'KUBECONFIG' || name.startsWith('HELM_KUBE'))
  if (steering !== undefined) throw new ConfigError(`HELM_ENV_PASSTHROUGH may not name ${steering}: only the cluster's kubeconfig decides where helm connects`)
  return names
}

/** A port that is off unless set: unset, empty or `off` is null. */
function optionalPort(env: Env, name: string): number | null {
  const raw = env[name]
  return raw === undefined || raw === '' || raw.toLowerCase() === 'off' ? null : integer(env, name, 0, 0, 65535)
}

function port(env: Env, name: string, fallback: number): number | null {
  return env[name]?.toLowerCase() === 'off' ? null : integer(env, name, fallback, 0, 65535)
}

/** A host as it appears in a Host header, without port: lower-case, IPv6 in brackets; null when it is no host name. */
export function normalizeHostName(raw: string): string | null {
  const bracketed = isIP(raw) === 6 ? `[${raw}]` : raw
  try {
    const url = new URL(`http://${bracketed}`)
    return url.hostname && url.host === url.hostname && url.hostname === bracketed.toLowerCase() ? url.hostname : null
  } catch {
    return null
  }
}

function allowedHosts(env: Env, host: string, publicBaseUrl: string | undefined, tlsSans: string[]): string[] {
  const configured = list(env, 'ALLOWED_HOSTS')
  // A wildcard bind address (0.0.0.0, ::) is no name a client reaches the service by; browsers that still send
  // requests to 0.0.0.0 would otherwise get a Host this service accepts.
  const bindName = host === '0.0.0.0' || host === '::' ? [] : [host]
  const wanted = configured.length > 0 ? configured : ['localhost', '127.0.0.1', '[::1]', ...bindName, ...tlsSans]
  const hosts = new Set<string>()
  for (const entry of wanted) {
    const name = normalizeHostName(entry)
    if (!name) throw new ConfigError(`ALLOWED_HOSTS entry '${entry}' is not a host name or IP address (no scheme, port or path)`)
    hosts.add(name)
  }
  if (publicBaseUrl && configured.length === 0) hosts.add(new URL(publicBaseUrl).hostname)
  return [...hosts]
}

const DNS_NAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i

function tlsSans(env: Env): string[] {
  const names = list(env, 'TLS_SANS')
  for (const name of names) {
    if (!isIP(name) && !DNS_NAME.test(name))
      throw new ConfigError(`TLS_SANS entry '${name}' is neither a DNS name nor an IP address; list names and addresses without scheme or port, such as arcext.internal,10.0.0.5`)
  }
  return names
}

function publicBaseUrl(env: Env): string | undefined {
  const raw = optional(env, 'PUBLIC_BASE_URL')?.replace(/\/+$/, '')
  if (raw === undefined) return undefined
  let url: URL | undefined
  try {
    url = new URL(raw)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`PUBLIC_BASE_URL=${raw} is not an http(s) URL without query, fragment or credentials`)
  }
  return raw
}

function guid(env: Env, name: string, fallback: string): string {
  const raw = text(env, name, fallback)
  if (!isGuid(raw)) throw new ConfigError(`${name}=${raw} is not a GUID`)
  return raw
}

/**
 * REDIS_CLUSTER_NODES: comma-separated redis:// (or rediss://) URLs of some nodes of one Redis Cluster; the client
 * learns the others from them. A cluster client uses one set of credentials and one TLS setting for every node, so
 * the entries must agree on them; a cluster has only database 0. REDIS_URL names one server, so setting both is
 * refused rather than letting one silently win.
 */
function redisClusterNodes(env: Env): string[] {
  const nodes = list(env, 'REDIS_CLUSTER_NODES')
  if (nodes.length === 0) return []
  if (optional(env, 'REDIS_URL') !== undefined) throw new ConfigError('REDIS_URL and REDIS_CLUSTER_NODES are both set; set REDIS_URL for one Redis server or REDIS_CLUSTER_NODES for a Redis Cluster')
  const urls = nodes.map((node, index) => {
    let url: URL
    try {
      url = new URL(node)
    } catch {
      throw new ConfigError(`REDIS_CLUSTER_NODES entry ${index + 1} is not a URL such as redis://10.0.0.1:6379`)
    }
    if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname || url.search || url.hash) {
      throw new ConfigError(`REDIS_CLUSTER_NODES entry ${index + 1} (${redactUrl(node)}) is not a redis:// or rediss:// URL with a host`)
    }
    if (url.pathname !== '' && url.pathname !== '/' && url.pathname !== '/0')
      throw new ConfigError(`REDIS_CLUSTER_NODES entry ${index + 1} (${redactUrl(node)}) names a database; a Redis Cluster has only database 0`)
    return url
  })
  const sharedPart = (url: URL) => `${url.protocol}//${url.username}:${url.password}`
  if (urls.some((url) => sharedPart(url) !== sharedPart(urls[0]!)))
    throw new ConfigError('REDIS_CLUSTER_NODES entries differ in scheme or credentials; every node of a cluster is reached with the same ones')
  return nodes
}

/**
 * BullMQ runs Lua scripts over several keys of a queue, which Redis Cluster only allows within one hash slot: a
 * prefix in braces is a hash tag, so every key of every queue hashes by the prefix alone. One server needs no tag,
 * and its keys keep the layout they have always had.
 */
function bullmqPrefix(queuePrefix: string, cluster: boolean): string {
  return cluster ? `{${queuePrefix}}` : queuePrefix
}

// --- Throttling (THROTTLING, THROTTLE_*), read by api/arm/throttling.ts --------------------------------------------

/** One operation type's token bucket: how many requests it holds, and how many tokens come back each second. */
export interface TokenBucketLimit {
  bucket: number
  perSecond: number
}

export interface ThrottleConfig {
  /** Per subscription and principal (tenant-level requests: per client address). Azure: 250/25, 200/10, 200/10. */
  reads: TokenBucketLimit
  writes: TokenBucketLimit
  deletes: TokenBucketLimit
  /** The bucket a subscription shares across all its principals is this many times a principal's (Azure: 15). */
  globalMultiplier: number
  /** How often each api pushes its spending to Redis and pulls back the cluster-wide levels. */
  syncIntervalMs: number
}

function positiveNumber(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!/^\s*\d*\.?\d+\s*$/.test(raw) || !(value > 0) || value > max) throw new ConfigError(`${name}=${raw} is not a number above 0 and at most ${max} (decimals allowed)`)
  return value
}

/** The hourly budgets of ARM's old model, which no longer mean anything: naming one is a mistake worth a word. */
const RETIRED_THROTTLE_VARIABLES = ['THROTTLE_READS_PER_HOUR', 'THROTTLE_WRITES_PER_HOUR', 'THROTTLE_DELETES_PER_HOUR']

function tokenBucket(env: Env, operations: 'READS' | 'WRITES' | 'DELETES', bucket: number, perSecond: number): TokenBucketLimit {
  return {
    bucket: integer(env, `THROTTLE_${operations}_BUCKET`, bucket, 1, 1_000_000_000),
    perSecond: positiveNumber(env, `THROTTLE_${operations}_PER_SECOND`, perSecond, 1_000_000_000),
  }
}

function throttleConfig(env: Env): ThrottleConfig | null {
  const retired = RETIRED_THROTTLE_VARIABLES.find((name) => optional(env, name) !== undefined)
  if (retired !== undefined) {
    const operations = retired.split('_')[1]!
    throw new ConfigError(`${retired} is no longer read: throttling uses token buckets; set THROTTLE_${operations}_BUCKET and THROTTLE_${operations}_PER_SECOND instead, or THROTTLING=off`)
  }
  const switchedOn = text(env, 'THROTTLING', 'on')
  if (switchedOn !== 'on' && switchedOn !== 'off') throw new ConfigError(`THROTTLING=${switchedOn} is not on or off`)
  if (switchedOn === 'off') return null
  return {
    reads: tokenBucket(env, 'READS', 250, 25),
    writes: tokenBucket(env, 'WRITES', 200, 10),
    deletes: tokenBucket(env, 'DELETES', 200, 10),
    globalMultiplier: integer(env, 'THROTTLE_GLOBAL_MULTIPLIER', 15, 1, 1000),
    syncIntervalMs: integer(env, 'THROTTLE_SYNC_MS', 200, 10, 10_000),
  }
}

function seedFile(env: Env): string | undefined {
  const raw = optional(env, 'SEED_FILE')
  return raw === undefined ? undefined : path.resolve(raw)
}

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/arcext'
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

export function loadConfig(env: Env = process.env): Config {
  const tlsCertFile = optional(env, 'TLS_CERT_FILE')
  const tlsKeyFile = optional(env, 'TLS_KEY_FILE')
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE must be set together')
  }
  const queuePrefix = text(env, 'QUEUE_PREFIX', 'arcext')
  if (!/^[A-Za-z0-9_.-]+$/.test(queuePrefix)) {
    throw new ConfigError(`QUEUE_PREFIX=${queuePrefix} may only contain letters, digits, '_', '.' and '-'`)
  }
  const host = text(env, 'HOST', '127.0.0.1')
  const listenerPorts = { port: port(env, 'PORT', 8080), httpsPort: port(env, 'HTTPS_PORT', 8443) }
  if (listenerPorts.port === null && listenerPorts.httpsPort === null) throw new ConfigError('PORT and HTTPS_PORT are both off; at least one listener is required')
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', 10_000, 1000, 600_000)
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 60_000, 1000, 3_600_000)
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError(`HEADERS_TIMEOUT_MS=${headersTimeoutMs} must not exceed REQUEST_TIMEOUT_MS=${requestTimeoutMs}`)
  const sans = tlsSans(env)
  const baseUrl = publicBaseUrl(env)
  const clusterNodes = redisClusterNodes(env)
  return {
    host,
    ...listenerPorts,
    workerMetricsPort: optionalPort(env, 'WORKER_METRICS_PORT'),
    tlsCertFile,
    tlsKeyFile,
    dataDir: path.resolve(text(env, 'DATA_DIR', '.arcext')),
    databaseUrl: serviceUrl(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, ['postgresql:', 'postgres:'], DEFAULT_DATABASE_URL),
    redisUrl: clusterNodes[0] ?? serviceUrl(env, 'REDIS_URL', DEFAULT_REDIS_URL, ['redis:', 'rediss:'], DEFAULT_REDIS_URL),
    redisClusterNodes: clusterNodes,
    queuePrefix: bullmqPrefix(queuePrefix, clusterNodes.length > 0),
    logLevel: logLevel(env),
    logFormat: logFormat(env),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 16, 1, 1000),
    publicBaseUrl: baseUrl,
    ...encryptionKeys(env),
    simulatedStepLatencyMs: integer(env, 'SIMULATED_STEP_LATENCY_MS', 0, 0, 600_000),
    simulatedFaults: optional(env, 'SIMULATED_FAULTS'),
    seedFile: seedFile(env),
    helmBin: text(env, 'HELM_BIN', 'helm'),
    helmChartRepository: optional(env, 'HELM_CHART_REPOSITORY')?.replace(/\/+$/, ''),
    helmTimeoutSeconds: integer(env, 'HELM_TIMEOUT_SECONDS', 300, 1, 86_400),
    retryAfterSeconds: integer(env, 'RETRY_AFTER_SECONDS', 1, 1, 600),
    azureTenantId: guid(env, 'AZURE_TENANT_ID', '72f988bf-86f1-41af-91ab-2d7cd011db47'),
    defaultSubscriptionId: guid(env, 'DEFAULT_SUBSCRIPTION_ID', '00000000-0000-0000-0000-000000000000').toLowerCase(),
    operationDeadlineSeconds: integer(env, 'OPERATION_DEADLINE_SECONDS', 3600, 1, 7 * 86_400),
    reconcileIntervalMs: integer(env, 'RECONCILE_INTERVAL_MS', 5000, 100, 3_600_000),
    jobStallMs: integer(env, 'JOB_STALL_MS', 30_000, 1000, 3_600_000),
    autoUpgradeIntervalSeconds: integer(env, 'AUTO_UPGRADE_INTERVAL_SECONDS', 3600, 0, 7 * 24 * 3600),
    driftCheckSeconds: integer(env, 'DRIFT_CHECK_SECONDS', 300, 0, 7 * 24 * 3600),
    driftRepair: driftRepair(env),
    throttle: throttleConfig(env),
    auth: authConfig(env),
    kubeconfigExecAllowlist: execAllowlist(env),
    helmEnvPassthrough: helmEnvPassthrough(env),
    allowedHosts: allowedHosts(env, host, baseUrl, sans),
    tlsSans: sans,
    maxConnections: integer(env, 'MAX_CONNECTIONS', 1024, 1, 1_000_000),
    headersTimeoutMs,
    requestTimeoutMs,
  }
}

/** Hides the password in a connection URL so it can be printed. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return '<unparseable url>'
  }
}
