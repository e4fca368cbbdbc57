// The fuzz campaign: a real api and worker on a database of their own, a victim subscription the generators never
// address, and a stream of hostile requests checked one by one (no 5xx, every 4xx in ARM's envelope, an answer within
// 10 s) and as a whole (the victim's rows unchanged, no resource stored under an id its path does not spell).
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import pg from 'pg'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, until } from '../helpers/harness.js'
import { startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'
import { bearer, jwks, jwtEnv, signingKey, tempDir, token, writeJson } from '../auth/support.js'
import { requestArbitrary, type FuzzWorld } from './arbitraries.js'
import { exchange, serialize, type Endpoint, type RawOutcome, type RawRequest } from './raw-http.js'

const REQUEST_BUDGET_MS = 10_000

export interface FuzzOptions {
  seed: number
  seconds: number
  /**
   * `dev`: the generators never address the victim, which must stay untouched. `jwt`: they address it too, with a
   * token that holds Contributor on one subscription and Reader on another and no role on the victim's: authorization
   * alone must keep the victim's and the read-only subscription's resources untouched.
   */
  authMode: 'dev' | 'jwt'
  /** Keep going after a breach and collect one example per kind of breach (for triage), instead of stopping. */
  survey?: boolean
}

export interface FuzzReport {
  requests: number
  statuses: Record<string, number>
  failure?: string
  /** Survey mode: one example request per kind of breach. */
  breaches: Record<string, string>
  /** Survey mode: one example request per status (and error code) seen. */
  examples: Record<string, string>
}

const VICTIM = 'f0f0f0f0-0000-4000-8000-00000000beef'
/** The first the fuzzer may change in both modes; in jwt mode it may only read the second. */
const ATTACKERS = ['a1a1a1a1-0000-4000-8000-000000000001', 'a2a2a2a2-0000-4000-8000-000000000002']
const OPERATOR_OID = '0f0f0f0f-0000-4000-8000-0000000000ff'
const ATTACKER_OID = '0a0a0a0a-0000-4000-8000-0000000000aa'

interface Credentials {
  env: Record<string, string>
  /** Headers of the operator who seeds the world. */
  operator: Record<string, string>
  /** Authorization values the fuzzer sends. */
  fuzzer: string[]
}

async function credentialsFor(mode: FuzzOptions['authMode']): Promise<Credentials> {
  if (mode === 'dev') return { env: {}, operator: {}, fuzzer: [] }
  const key = await signingKey('RS256')
  const dir = tempDir()
  const policy = {
    principals: [
      { oid: OPERATOR_OID, roleAssignments: [{ role: 'Owner', scope: '/' }] },
      {
        oid: ATTACKER_OID,
        roleAssignments: [
          { role: 'Contributor', scope: `/subscriptions/${ATTACKERS[0]}` },
          { role: 'Reader', scope: `/subscriptions/${ATTACKERS[1]}` },
        ],
      },
    ],
  }
  const env = jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(key)) }, writeJson(dir, 'policy.json', policy))
  const attacker = await token(key, { claims: { oid: ATTACKER_OID, upn: 'fuzzer@contoso.com' } })
  const expired = await token(key, { claims: { oid: ATTACKER_OID }, expiresIn: -3600 })
  const operator = await token(key, { claims: { oid: OPERATOR_OID, upn: 'operator@contoso.com' } })
  return { env, operator: bearer(operator), fuzzer: [`Bearer ${attacker}`, `Bearer ${attacker}`, `Bearer ${attacker}`, `Bearer ${expired}`, `bearer ${attacker}`] }
}

function describeRequest(request: RawRequest): string {
  const text = serialize(request).toString('latin1')
  return JSON.stringify(text.length > 3000 ? `${text.slice(0, 3000)}…` : text)
}

/** Why `outcome` breaks the contract, or undefined when it keeps it. */
function contractBreach(request: RawRequest, outcome: RawOutcome): string | undefined {
  if (outcome.kind === 'timeout') return `no answer within ${REQUEST_BUDGET_MS} ms`
  // A request whose body never arrived in full may be dropped with its connection: there is nobody left to answer.
  if (outcome.kind === 'noResponse' && request.incomplete) return undefined
  if (outcome.kind === 'noResponse') return `connection closed without an HTTP response${outcome.error ? ` (${outcome.error})` : ''}`
  const { status, body, headers, elapsedMs } = outcome.response
  if (elapsedMs > REQUEST_BUDGET_MS) return `answered after ${elapsedMs} ms`
  if (status >= 500) return `server error ${status}: ${body.slice(0, 500)}`
  if (status >= 400 && request.method !== 'HEAD') {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return `${status} whose body is not JSON: ${JSON.stringify(body.slice(0, 300))}`
    }
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error
    if (typeof error?.code !== 'string' || !error.code || typeof error.message !== 'string') return `${status} outside the ARM error envelope: ${body.slice(0, 300)}`
    if (!headers['content-type']?.[0]?.startsWith('application/json')) return `${status} envelope with content-type ${headers['content-type']?.[0] ?? '(none)'}`
  }
  return undefined
}

async function rows(databaseUrl: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[]
  } finally {
    await client.end()
  }
}

/** Everything stored about the resources of the subscriptions the fuzzer may not change. */
async function protectedSnapshot(databaseUrl: string, subscriptions: string[]): Promise<string> {
  const clusters = await rows(databaseUrl, 'SELECT * FROM clusters WHERE subscription_key = ANY($1) ORDER BY id_key', [subscriptions])
  const extensions = await rows(databaseUrl, 'SELECT e.* FROM extensions e JOIN clusters c ON c.id = e.cluster_id WHERE c.subscription_key = ANY($1) ORDER BY e.id_key', [subscriptions])
  return JSON.stringify({ clusters, extensions })
}

/** Rows whose stored id is not the canonical spelling of a resource path: what an absolute-form or mis-decoded URL leaves. */
async function ghostRows(databaseUrl: string): Promise<Record<string, unknown>[]> {
  const guid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
  const clusterShape = `^/subscriptions/${guid}/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$`
  return [
    ...(await rows(databaseUrl, `SELECT 'cluster' AS kind, resource_id FROM clusters WHERE id_key <> lower(resource_id) OR id_key !~ $1 OR id_key NOT LIKE '%/' || lower(name)`, [clusterShape])),
    ...(await rows(
      databaseUrl,
      `SELECT 'extension' AS kind, e.resource_id FROM extensions e JOIN clusters c ON c.id = e.cluster_id
        WHERE e.id_key <> lower(e.resource_id) OR e.id_key <> c.id_key || '/providers/microsoft.kubernetesconfiguration/extensions/' || lower(e.name)`,
    )),
  ]
}

async function seedWorld(h: IsolatedHarness, headers: Record<string, string>): Promise<void> {
  const withProtected = (name: string, type: string) => ({
    properties: { extensionType: type, configurationSettings: { mode: name }, configurationProtectedSettings: { secret: `victim-${name}` } },
  })
  for (const sub of [VICTIM, ...ATTACKERS]) {
    for (const cluster of ['c1', 'c2']) {
      const created = await call(h, 'PUT', `${clusterPath(sub, cluster)}?${CLUSTER_API}`, compatibleCluster, headers)
      if (created.status >= 300) throw new Error(`seeding ${sub}/${cluster}: ${created.status} ${JSON.stringify(created.body)}`)
    }
    for (const [name, type] of [
      ['flux', 'microsoft.flux'],
      ['dapr', 'microsoft.dapr'],
    ] as const) {
      const put = await call(h, 'PUT', `${extensionPath(sub, name, 'c1')}?${EXTENSION_API}`, withProtected(name, type), headers)
      if (put.status >= 300) throw new Error(`seeding ${name} in ${sub}: ${put.status} ${JSON.stringify(put.body)}`)
    }
  }
  for (const sub of [VICTIM, ...ATTACKERS]) {
    for (const name of ['flux', 'dapr']) {
      await until(
        () => call<{ properties: { provisioningState: string } }>(h, 'GET', `${extensionPath(sub, name, 'c1')}?${EXTENSION_API}`, undefined, headers),
        (r) => r.body.properties?.provisioningState === 'Succeeded',
        30_000,
      )
    }
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  // No throttling, so writes keep reaching the routes instead of the limiter.
  const credentials = await credentialsFor(options.authMode)
  const h = await startIsolatedHarness({
    env: { ...credentials.env, THROTTLING: 'off' },
  })
  const untouchable = options.authMode === 'jwt' ? [VICTIM, ATTACKERS[1]!] : [VICTIM]
  const report: FuzzReport = { requests: 0, statuses: {}, breaches: {}, examples: {} }
  try {
    await seedWorld(h, credentials.operator)
    const before = await protectedSnapshot(h.databaseUrl, untouchable)
    const httpUrl = new URL(h.api.httpUrl)
    const httpsUrl = new URL(h.api.httpsUrl)
    const plain: Endpoint = { host: httpUrl.hostname, port: Number(httpUrl.port) }
    const secure: Endpoint = { host: httpsUrl.hostname, port: Number(httpsUrl.port), tlsCa: readFileSync(h.api.certFile, 'utf8') }
    const world: FuzzWorld = {
      subscriptions: options.authMode === 'jwt' ? [...ATTACKERS, VICTIM] : ATTACKERS,
      clusterNames: ['c1', 'c2', 'c3'],
      extensionNames: ['flux', 'dapr', 'azuremonitor-containers', 'new-ext'],
      ownHosts: [httpUrl.host, `localhost:${httpUrl.port}`, 'localhost', '127.0.0.1'],
      authorizations: credentials.fuzzer,
    }
    const batch = fc.array(fc.tuple(requestArbitrary(world), fc.nat(7)), { minLength: 1, maxLength: 4 })
    const property = fc.asyncProperty(batch, async (requests) => {
      const outcomes = await Promise.all(
        requests.map(async ([request, pick]) => {
          const endpoint = pick === 0 && !request.incomplete ? secure : plain
          return { request, endpoint, outcome: await exchange(endpoint, serialize(request), REQUEST_BUDGET_MS + 2_000, request.incomplete) }
        }),
      )
      for (const { request, endpoint, outcome } of outcomes) {
        report.requests += 1
        const key = outcome.kind === 'response' ? `${outcome.response.status}${/"code":"([^"]+)"/.exec(outcome.response.body)?.[1]?.replace(/^/, ' ') ?? ''}` : outcome.kind
        report.statuses[key] = (report.statuses[key] ?? 0) + 1
        if (options.survey) report.examples[key] ??= describeRequest(request)
        const breach = contractBreach(request, outcome)
        if (!breach) continue
        const example = `${breach}\nrequest (${endpoint.tlsCa ? 'https' : 'http'}): ${describeRequest(request)}`
        if (!options.survey) throw new Error(example)
        report.breaches[`${breach.slice(0, 60)} ${request.method} ${endpoint.tlsCa ? 'https' : 'http'}`] ??= example
      }
    })
    const result = await fc.check(property, {
      seed: options.seed,
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: options.seconds * 1000,
      markInterruptAsFailure: false,
      endOnFailure: true,
    })
    if (result.failed) {
      report.failure = `seed ${options.seed}: ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}`
      return report
    }
    if (Object.keys(report.breaches).length) report.failure = `${Object.keys(report.breaches).length} kinds of breach:\n${Object.values(report.breaches).join('\n\n')}`
    const ghosts = await ghostRows(h.databaseUrl)
    if (report.failure) return report
    if (ghosts.length) report.failure = `resources stored under ids their paths do not spell: ${JSON.stringify(ghosts.slice(0, 5))}`
    else if ((await protectedSnapshot(h.databaseUrl, untouchable)) !== before) report.failure = `resources the fuzzer may not change changed (subscriptions ${untouchable.join(', ')})`
    return report
  } catch (error) {
    report.failure = `the campaign itself failed: ${error instanceof Error ? error.stack : String(error)}`
    return report
  } finally {
    // A 5xx makes the harness's close throw; the report names the request that caused it when the campaign saw it.
    await h.close().catch((error: unknown) => {
      if (!report.failure) throw error
    })
  }
}

/** One mode's campaign as a test: a fixed seed in `npm test`, or the seed and length `npm run fuzz` passes. */
export function fuzzTest(authMode: FuzzOptions['authMode']): void {
  const title = `AUTH_MODE=${authMode}: hostile requests get 4xx envelopes, never a 5xx, and change nothing they may not (seed ${FUZZ_SEED}, ${FUZZ_SECONDS} s)`
  it(title, { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const survey = process.env.ARCEXT_FUZZ_SURVEY === '1'
    const report = await runFuzz({ seed: FUZZ_SEED, seconds: FUZZ_SECONDS, authMode, survey })
    console.info(`fuzz (${authMode}): ${report.requests} requests, statuses ${JSON.stringify(report.statuses)}`)
    if (survey) console.info(JSON.stringify(report.examples, null, 1))
    expect(report.failure).toBeUndefined()
    expect(report.requests).toBeGreaterThan(100)
  })
}

const FUZZ_SEED = Number(process.env.ARCEXT_FUZZ_SEED ?? 20261205)
/** Per mode; the two modes are two files, so they run side by side. */
const FUZZ_SECONDS = Number(process.env.ARCEXT_FUZZ_SECONDS ?? 30)
/** Room for seeding the world and for the harness to stop, on top of the campaign itself. */
const FUZZ_TIMEOUT_MS = (FUZZ_SECONDS + 120) * 1000
