// Protected settings of every shape (short, with quotes and backslashes, a multi-line PEM key) planted in an
// extension whose chart fails by quoting them back (the fake helm echoes the values file as is, JSON-escaped,
// YAML-quoted, base64'd and in a schema error line), through the real api and worker on real Postgres and Redis:
// nothing of helm's text, and no value in any form, reaches the operation status over HTTP, the extension, the api's
// and worker's logs at debug level, the queue's Redis keys and values, or any text column in Postgres. And the
// values digest is keyed (HMAC under a key from the keyring), never a bare hash someone could test guesses against.
import { createHash, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SecretBox, keyFromMaterial } from '../../core/secrets.js'
import { valuesDigest, valuesDigestMatches } from '../../workers/drivers/values-digest.js'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, until, POLL } from '../helpers/harness.js'
import { getExtension, startHelmHarness, type FakeHelm, type HelmHarness } from './support.js'
import { FLUX_NEWEST } from '../helpers/shipped-flux.js'

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nq3ZlEakeyMaterialLine2xYz\n-----END PRIVATE KEY-----\n'
const PROTECTED = {
  'git.token': 'ab',
  'git.pin': '7',
  'git.quoted': 'say "hi" \\ bye',
  'tls.key': PEM,
  'git.password': 'a-longer-protected-value-0123',
}
const KUBECONFIG_TOKEN = 'kubeconfig-token-of-the-leak-suite'
const KUBECONFIG = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://10.9.8.7:6443"}\nusers:\n- name: u\n  user: {token: ${KUBECONFIG_TOKEN}}\n`
const REPOSITORY = 'oci://charts.example.test/arcext'

/** Every form in which a value of at least 4 characters must not appear anywhere. */
function forms(value: string): string[] {
  const json = JSON.stringify(value)
  const lines = value.split('\n').filter((line) => line.length >= 8 && !/^-----(BEGIN|END) PRIVATE KEY-----$/.test(line))
  return [value, json, json.slice(1, -1), `'${value.replaceAll("'", "''")}'`, Buffer.from(value).toString('base64'), ...lines]
}
const LONG_FORMS = [
  ...Object.values(PROTECTED)
    .filter((value) => value.length >= 4)
    .flatMap(forms),
  KUBECONFIG_TOKEN,
]
/**
 * Text only helm's output contains (fake-helm.mjs echoValues): if none of it appears, no value of any length came along.
 * Specific enough that the service's own words never match (a file name ending in .json once did).
 */
const HELM_TEXT = ['is ab', 'is 7', 'echoed json: ', 'echoed base64: ', 'Does not match pattern', 'execution error at', 'given: 7']

function leaksIn(text: string): string[] {
  return [...LONG_FORMS, ...HELM_TEXT].filter((needle) => text.includes(needle))
}
/** The log lines that leak, so a failure shows where a value escaped rather than only which form of it. */
function leakingLogLines(lines: readonly string[]): string[] {
  return lines.filter((line) => leaksIn(line).length > 0)
}

const TEMPLATE_FAILURE =
  "Helm install of release 'flux' in namespace 'flux-system' failed: the chart's templates could not be rendered with the settings " +
  "(template 'chart/templates/secret.yaml' line 12). Correct configurationSettings / configurationProtectedSettings to what the chart accepts. " +
  'Fix the cause, then send the PUT again to retry, or DELETE the extension.'
const RETRYING =
  /^Attempt 1 of 10 of the installation failed: Helm install of release 'flux' in namespace 'flux-system' failed: a temporary network or API server error interrupted helm \(reaching the cluster or the chart's repository\)\. Retrying in \d+ s\.$/

const logLines: string[] = []
let h: HelmHarness
let fake: FakeHelm
let box: SecretBox
let encryptionKey: string

beforeAll(async () => {
  h = await startHelmHarness({ env: { LOG_LEVEL: 'debug', HELM_CHART_REPOSITORY: REPOSITORY }, logDestination: { write: (line: string) => void logLines.push(line) } })
  ;({ fake, box, encryptionKey } = h)
})
afterAll(() => h?.close())

async function redisDump(prefix: string): Promise<string> {
  const redis = new Redis(h.config.redisUrl)
  const parts: string[] = []
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      for (const key of keys) {
        const type = await redis.type(key)
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'list'
                ? await redis.lrange(key, 0, -1)
                : type === 'set'
                  ? await redis.smembers(key)
                  : type === 'zset'
                    ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : null
        parts.push(`${key} ${JSON.stringify(value)}`)
      }
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
  return parts.join('\n')
}

/** Every text, varchar, json and jsonb column of every table, as text. */
async function postgresDump(): Promise<string> {
  const client = new pg.Client({ connectionString: h.databaseUrl })
  await client.connect()
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND (data_type IN ('text', 'character varying', 'json', 'jsonb') OR udt_name IN ('_text', '_varchar'))`,
    )
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['operations.error', 'extensions.statuses', 'extensions.error_info']))
    const parts: string[] = []
    for (const { table_name: table, column_name: column } of columns) {
      const { rows } = await client.query<{ value: string | null }>(`SELECT "${column}"::text AS value FROM "${table}"`)
      parts.push(...rows.map((row) => `${table}.${column}=${row.value}`))
    }
    return parts.join('\n')
  } finally {
    await client.end()
  }
}

describe('no protected value leaks, whatever its shape', () => {
  it('keeps a chart failure that quotes the values out of statuses, logs, Redis and Postgres', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    expect((await call(h, 'PUT', `/admin/clusters/${encodeURIComponent(cluster)}/driver`, { driver: 'helm', kubeconfig: KUBECONFIG })).status).toBe(200)
    writeFileSync(
      path.join(fake.dir, 'script.json'),
      JSON.stringify([
        { command: 'upgrade', times: 1, exitCode: 1, stderr: 'Error: INSTALLATION FAILED: dial tcp 10.9.8.7:6443: connect: connection refused\n', echoValues: true },
        { command: 'upgrade', exitCode: 1, stderr: 'Error: INSTALLATION FAILED: ', echoValues: true },
      ]),
    )

    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.flux', configurationSettings: { 'image.tag': 'v1' }, configurationProtectedSettings: PROTECTED },
    })
    expect(put.status).toBe(201)
    // Everything a client could read while the operation ran, the retry's status included.
    const seen: string[] = [JSON.stringify(put.body)]
    const statusUrl = put.headers.get('azure-asyncoperation')!
    const done = await until(
      async () => {
        const [status, extension] = await Promise.all([call<{ status: string; error?: { code: string; message: string } }>(h, 'GET', statusUrl), getExtension(h, sub, 'flux')])
        seen.push(JSON.stringify(status.body), JSON.stringify(extension.body))
        return status.body
      },
      (status) => status.status !== 'InProgress',
      30_000,
    )
    expect(done).toMatchObject({ status: 'Failed', error: { code: 'InvalidConfigurationSettings', message: TEMPLATE_FAILURE } })
    const extension = await getExtension(h, sub, 'flux')
    seen.push(JSON.stringify(extension.body))
    expect(extension.body.properties.errorInfo).toMatchObject({ code: 'InvalidConfigurationSettings', message: TEMPLATE_FAILURE })
    // Short values are checked by what the messages are: fixed sentences with safe facts, nothing else.
    const retries = seen
      .flatMap((body) => (JSON.parse(body) as { properties?: { statuses?: { displayStatus: string; message: string }[] } }).properties?.statuses ?? [])
      .filter((s) => s.displayStatus === 'Retrying')
    expect(retries.length).toBeGreaterThan(0)
    for (const retry of retries) expect(retry.message).toMatch(RETRYING)
    expect(extension.body.properties.statuses!.map((s) => s.message)).toEqual([TEMPLATE_FAILURE])

    // helm really was given the values and quoted every one of them.
    const upgrades = fake.log().filter((c) => c.argv[0] === 'upgrade')
    expect(upgrades).toHaveLength(2)
    expect((upgrades[0]!.values!.content as { tls: { key: string } }).tls.key).toBe(PEM)

    expect(seen.flatMap(leaksIn)).toEqual([])
    const logs = logLines.join('')
    expect(logs).toMatch(/"msg":"transient failure; will retry"/)
    expect(logs).toMatch(/"failureClass":"valuesRejectedByTemplates"/)
    expect(leakingLogLines(logLines)).toEqual([])
    expect(leaksIn(await redisDump(`${h.config.queuePrefix}:`))).toEqual([])
    expect(leaksIn(await postgresDump())).toEqual([])
  })

  it('records a keyed digest of the values, and no bare hash of them anywhere', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    await call(h, 'PUT', `/admin/clusters/${encodeURIComponent(cluster)}/driver`, { driver: 'simulated' })
    writeFileSync(path.join(fake.dir, 'script.json'), '[]')
    const settings = { 'image.tag': 'v1' }
    const put = await call(h, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.flux', configurationSettings: settings, configurationProtectedSettings: { 'git.token': 'ab' } },
    })
    expect(put.status).toBe(201)
    await expect.poll(async () => (await getExtension(h, sub, 'dapr')).body.properties.provisioningState, { ...POLL, timeout: 20_000 }).toBe('Succeeded')

    const inputs = { version: FLUX_NEWEST, values: settings, protectedValues: { 'git.token': 'ab' } }
    const client = new pg.Client({ connectionString: h.databaseUrl })
    await client.connect()
    const { rows } = await client.query<{ values_digest: string }>("SELECT values_digest FROM simulated_releases WHERE release_name = 'dapr'")
    await client.end()
    const digest = rows[0]!.values_digest
    expect(digest).toMatch(new RegExp(`^hmac-sha256\\.${keyFromMaterial(Buffer.from(encryptionKey, 'hex')).id}\\.[A-Za-z0-9_-]{43}$`))
    expect(digest).toBe(valuesDigest(box, inputs))

    // What an unkeyed digest would have been: absent from every store.
    const sorted = (map: Record<string, string>) =>
      Object.keys(map)
        .sort()
        .map((key) => [key, map[key]])
    const bare = createHash('sha256')
      .update(JSON.stringify([inputs.version, sorted(inputs.values), sorted(inputs.protectedValues)]))
      .digest()
    const bareForms = [bare.toString('hex'), bare.toString('base64'), bare.toString('base64url')]
    const everything = [await postgresDump(), await redisDump(`${h.config.queuePrefix}:`), logLines.join(''), JSON.stringify(fake.log().map((c) => c.argv))].join('\n')
    expect(bareForms.filter((form) => everything.includes(form))).toEqual([])
  })
})

describe('no protected value in request errors', () => {
  it('answers a body that is not JSON without quoting it', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const secret = PROTECTED['git.password']
    for (const body of [`{"properties": {"configurationProtectedSettings": {"k": ${secret}}}}`, `{"properties": ${secret}}`, `{"properties": {"configurationProtectedSettings": {"k": "${secret}" x`]) {
      const response = await call<{ error: { code: string; message: string } }>(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, body)
      expect(response.status).toBe(400)
      expect(response.body.error.code).toBe('InvalidRequestContent')
      expect(response.body.error.message).toMatch(/^The request content is not valid JSON( \(at position \d+\))?\.$/)
    }
    expect(leakingLogLines(logLines)).toEqual([])
  })
})

describe('keyed values digest', () => {
  const inputs = { version: '1.0.0', values: { a: '1', b: '2' }, protectedValues: { s: 'ab' } }
  const oldKey = keyFromMaterial(randomBytes(32))
  const newKey = keyFromMaterial(randomBytes(32))

  it('is stable for the same values and key, whatever the order of the keys', () => {
    const digest = valuesDigest(box, inputs)
    expect(valuesDigest(box, { ...inputs, values: { b: '2', a: '1' } })).toBe(digest)
    expect(valuesDigestMatches(box, inputs, digest)).toBe(true)
    expect(valuesDigest(box, { ...inputs, protectedValues: { s: 'ac' } })).not.toBe(digest)
    expect(valuesDigestMatches(box, { ...inputs, protectedValues: { s: 'ac' } }, digest)).toBe(false)
  })

  it('differs under another key, and is checked with the key that made it while it is in the keyring', () => {
    const underOld = valuesDigest(new SecretBox(oldKey), inputs)
    const underNew = valuesDigest(new SecretBox(newKey), inputs)
    expect(underNew).not.toBe(underOld)
    expect(underOld.split('.').slice(0, 2)).toEqual(['hmac-sha256', oldKey.id])
    expect(valuesDigestMatches(new SecretBox(newKey, [oldKey]), inputs, underOld)).toBe(true)
    // The old key has left the keyring: "changed", which only re-runs the upgrade once.
    expect(valuesDigestMatches(new SecretBox(newKey), inputs, underOld)).toBe(false)
  })

  it('matches nothing that is not its own format: bare hashes, tampered digests, empty strings', () => {
    const digest = valuesDigest(box, inputs)
    const [format, keyId, mac] = digest.split('.')
    const flipped = Buffer.from(mac!, 'base64url')
    flipped.writeUInt8(flipped.readUInt8(0) ^ 1, 0)
    for (const other of ['', 'deadbeef', `${format}.${keyId}`, `${format}.${keyId}.${flipped.toString('base64url')}`, `${format}.${keyId}.${mac}.x`, `sha256.${keyId}.${mac}`]) {
      expect(valuesDigestMatches(box, inputs, other)).toBe(false)
    }
  })
})
