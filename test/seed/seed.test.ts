// SEED_FILE: the README's example file (examples/seed.yaml) applied at start through the api's own routes, its
// extensions installed by a real worker, a seeded fault rule failing an install; a second start changing nothing,
// a changed extension becoming an update, and a bad file stopping startup with one line.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApi } from '../../api/server.js'
import { ConfigError, loadConfig } from '../../core/config.js'
import { repoRoot } from '../../core/paths.js'
import { readSeed } from '../../core/seed-file.js'
import { migrate } from '../../core/db/migrate.js'
import { deleteKeysWithPrefix, dropDatabase, siblingDatabaseUrl } from '../helpers/isolation.js'
import { CLUSTER_API, EXTENSION_API, POLL, call, provisioningState, testConfig } from '../helpers/harness.js'
import { startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'
import { bearer, jwks, jwtEnv, signingKey, tempDir, token, writeJson } from '../auth/support.js'

const EXAMPLE = path.join(repoRoot, 'examples', 'seed.yaml')
const CLUSTER = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/cluster1'
const extension = (name: string) => `${CLUSTER}/providers/Microsoft.KubernetesConfiguration/extensions/${name}`
const dir = tempDir()
const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters:\n- name: edge\n  cluster:\n    server: https://10.9.8.7:6443\nusers:\n- name: admin\n  user:\n    token: seed-kubeconfig-token\n'

let h: IsolatedHarness

beforeAll(async () => {
  // A database of its own: the example names fixed subscription and cluster ids.
  h = await startIsolatedHarness({ env: { SEED_FILE: EXAMPLE } })
})
afterAll(() => h?.close())

interface OperationList {
  value: { kind: string; status: string }[]
}

async function operations(): Promise<OperationList['value']> {
  return (await call<OperationList>(h, 'GET', '/admin/operations')).body.value
}

describe('SEED_FILE', () => {
  it('applies the example at start: the cluster, the fault rule, and extensions a worker installs', async () => {
    expect(h.api.seeded).toEqual({
      clusters: { created: 1, updated: 0, unchanged: 0 },
      // A new registration runs the simulated driver already: nothing to change.
      drivers: { updated: 0, unchanged: 1 },
      faults: { created: 1, updated: 0, unchanged: 0 },
      extensions: { created: 2, updated: 0, unchanged: 0 },
    })
    const cluster = await call<{ tags: object; properties: { distribution: string } }>(h, 'GET', `${CLUSTER}?${CLUSTER_API}`)
    expect(cluster.status).toBe(200)
    expect(cluster.body).toMatchObject({ tags: { environment: 'ci' }, properties: { distribution: 'k3s' } })
    await expect.poll(() => provisioningState(h, `${extension('flux')}?${EXTENSION_API}`), POLL).toBe('Succeeded')
    // The seeded rule fails dapr's install, as one added through the API would.
    await expect.poll(() => provisioningState(h, `${extension('dapr')}?${EXTENSION_API}`), POLL).toBe('Failed')
    const dapr = await call<{ properties: { errorInfo: { message: string } }; systemData: { createdBy: string } }>(h, 'GET', `${extension('dapr')}?${EXTENSION_API}`)
    expect(dapr.body.properties.errorInfo.message).toContain('the seeded fault rule dapr-install-fails')
    expect(dapr.body.systemData.createdBy).toBe('arcext SEED_FILE')
    const fault = await call<{ injectedCalls: number; remainingCalls: number | null }>(h, 'GET', '/admin/simulator/faults/dapr-install-fails')
    expect(fault.body.injectedCalls).toBeGreaterThanOrEqual(1)
  })

  it('changes nothing and starts no operation when started again with the same file', async () => {
    const before = await operations()
    const etags = await Promise.all(
      [`${CLUSTER}?${CLUSTER_API}`, `${extension('flux')}?${EXTENSION_API}`, `${extension('dapr')}?${EXTENSION_API}`].map(async (url) => (await call(h, 'GET', url)).headers.get('etag')),
    )
    const again = await startApi(h.config)
    try {
      expect(again.seeded).toEqual({
        clusters: { created: 0, updated: 0, unchanged: 1 },
        drivers: { updated: 0, unchanged: 1 },
        faults: { created: 0, updated: 0, unchanged: 1 },
        extensions: { created: 0, updated: 0, unchanged: 2 },
      })
    } finally {
      await again.stop()
    }
    expect(await operations()).toEqual(before)
    const after = await Promise.all(
      [`${CLUSTER}?${CLUSTER_API}`, `${extension('flux')}?${EXTENSION_API}`, `${extension('dapr')}?${EXTENSION_API}`].map(async (url) => (await call(h, 'GET', url)).headers.get('etag')),
    )
    expect(after).toEqual(etags)
  })

  it('turns a changed extension into an update and leaves what the file does not name alone', async () => {
    const changed = path.join(dir, 'changed.yaml')
    writeFileSync(changed, readFileSync(EXAMPLE, 'utf8').replace('multiTenancy.enforce: "false"', 'multiTenancy.enforce: "true"'))
    const fromApi = await call(h, 'POST', '/admin/simulator/faults', { kind: 'latency', durationMs: 1 })
    expect(fromApi.status).toBe(201)
    const again = await startApi({ ...h.config, seedFile: changed })
    try {
      expect(again.seeded?.extensions).toEqual({ created: 0, updated: 1, unchanged: 1 })
    } finally {
      await again.stop()
    }
    await expect.poll(() => provisioningState(h, `${extension('flux')}?${EXTENSION_API}`), POLL).toBe('Succeeded')
    const flux = await call<{ properties: { configurationSettings: Record<string, string> } }>(h, 'GET', `${extension('flux')}?${EXTENSION_API}`)
    expect(flux.body.properties.configurationSettings).toEqual({ 'multiTenancy.enforce': 'true' })
    expect((await operations()).filter((op) => op.kind === 'extension.update')).toHaveLength(1)
    expect((await call(h, 'GET', `/admin/simulator/faults/${String(fromApi.body.id)}`)).status).toBe(200)
  })

  it("sets a helm cluster's kubeconfig under the kubeconfig rules, sealed, and finds it in place on the next start", async () => {
    const helmCluster = CLUSTER.replace('cluster1', 'edge')
    writeFileSync(path.join(dir, 'edge.kubeconfig'), KUBECONFIG)
    const file = path.join(dir, 'helm.yaml')
    writeFileSync(file, `clusters:\n  - id: ${helmCluster}\n    location: eastus\n    driver: helm\n    kubeconfigFile: edge.kubeconfig\n`)
    const config = { ...h.config, seedFile: file }
    const first = await startApi(config)
    await first.stop()
    expect(first.seeded?.drivers).toEqual({ updated: 1, unchanged: 0 })
    expect((await call(h, 'GET', `/admin/clusters${helmCluster}/driver`)).body).toEqual({ clusterId: helmCluster, driver: 'helm', kubeconfigSet: true })
    const db = new pg.Client({ connectionString: h.databaseUrl })
    await db.connect()
    try {
      const stored = await db.query<{ sealed: string }>('SELECT kubeconfig_sealed AS sealed FROM clusters WHERE id_key = $1', [helmCluster.toLowerCase()])
      expect(stored.rows[0]!.sealed).not.toContain('seed-kubeconfig-token')
    } finally {
      await db.end()
    }
    const second = await startApi(config)
    await second.stop()
    expect(second.seeded?.drivers).toEqual({ updated: 0, unchanged: 1 })

    // What the API refuses, the seed cannot set either; the refusal names the field, never the kubeconfig's content.
    writeFileSync(path.join(dir, 'edge.kubeconfig'), `${KUBECONFIG}    tokenFile: /etc/shadow\n`)
    const refused = startApi(config)
    await expect(refused).rejects.toThrow(`SEED_FILE=${file}: clusters[0].driver: setting the driver was refused with 400 InvalidRequestContent: `)
    await expect(refused).rejects.not.toThrow(/seed-kubeconfig-token/)
  })

  it("is the README's example, verbatim", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Seeding'))
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1]
    expect(block).toBe(readFileSync(EXAMPLE, 'utf8'))
  })

  it('stops startup with one line naming the entry the api refuses', async () => {
    const refused = path.join(dir, 'refused.yaml')
    writeFileSync(refused, readFileSync(EXAMPLE, 'utf8').replace('      dapr:', '      ghost:\n        extensionType: microsoft.nothing-such\n      dapr:'))
    const start = startApi({ ...h.config, seedFile: refused })
    await expect(start).rejects.toBeInstanceOf(ConfigError)
    await expect(start).rejects.toThrow(`SEED_FILE=${refused}: clusters[0].extensions.ghost: the extension was refused with 400 UnknownExtensionType: `)
  })

  it('applies in AUTH_MODE=jwt without any token, and counts against no caller', async () => {
    const key = await signingKey('RS256')
    const policy = writeJson(dir, 'policy.json', { principals: [{ oid: '11111111-1111-1111-1111-111111111111', roleAssignments: [{ role: 'Owner', scope: '/' }] }] })
    const config = testConfig({ ...jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(key)) }, policy), DATABASE_URL: h.databaseUrl, SEED_FILE: EXAMPLE })
    const api = await startApi(config)
    try {
      expect(api.seeded?.clusters).toEqual({ created: 0, updated: 0, unchanged: 1 })
      const read = await fetch(`${api.httpUrl}${CLUSTER}?${CLUSTER_API}`, { headers: bearer(await token(key, { claims: { oid: '11111111-1111-1111-1111-111111111111' } })) })
      expect(read.status).toBe(200)
      expect(read.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('249')
      expect((await fetch(`${api.httpUrl}${CLUSTER}?${CLUSTER_API}`)).status).toBe(401)
    } finally {
      await api.stop()
    }
  })
})

describe('several apis starting together', () => {
  it('apply the file once: the others find it in place', async () => {
    const databaseUrl = siblingDatabaseUrl(h.databaseUrl, 'seed')
    await migrate(databaseUrl)
    const config = testConfig({ DATABASE_URL: databaseUrl, SEED_FILE: EXAMPLE })
    const apis = await Promise.all([startApi(config), startApi(config), startApi(config)])
    try {
      const created = apis.map((api) => api.seeded!.extensions.created)
      expect(created.sort()).toEqual([0, 0, 2])
      expect(apis.map((api) => api.seeded!.clusters.created).reduce((a, b) => a + b)).toBe(1)
    } finally {
      await Promise.all(apis.map((api) => api.stop()))
      await deleteKeysWithPrefix(config.redisUrl, `${config.queuePrefix}:`)
      await dropDatabase(databaseUrl)
    }
  })
})

describe('a bad SEED_FILE', () => {
  const bad = (name: string, text: string) => {
    const file = path.join(dir, name)
    writeFileSync(file, text)
    return file
  }
  const problem = (file: string): string => {
    try {
      readSeed(file)
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).not.toMatch(/\n/)
      return (error as Error).message
    }
    throw new Error(`${file} was accepted`)
  }

  it.each([
    ['missing.yaml', null, 'cannot be read (ENOENT); set SEED_FILE to a YAML or JSON seed file (README, Seeding)'],
    ['syntax.yaml', 'clusters: [\n', /^is neither YAML nor JSON \(/],
    ['unknown.json', '{"clusters": [], "extensions": {}}', 'extensions: unknown property; allowed: clusters, faults'],
    ['location.yaml', `clusters:\n  - id: ${CLUSTER}\n`, 'clusters[0].location: is required'],
    ['driver.yaml', `clusters:\n  - id: ${CLUSTER}\n    location: eastus\n    driver: kubectl\n`, 'clusters[0].driver: must be one of simulated, helm'],
    [
      'settings.yaml',
      `clusters:\n  - id: ${CLUSTER}\n    location: eastus\n    extensions:\n      flux:\n        extensionType: microsoft.flux\n        configurationSettings: {a: 1}\n`,
      'clusters[0].extensions.flux.configurationSettings.a: must be string',
    ],
    ['id.yaml', 'clusters:\n  - id: /subscriptions/x/cluster1\n    location: eastus\n', /^clusters\[0\]\.id: '\/subscriptions\/x\/cluster1' is not a cluster resource id; /],
    [
      'twice.yaml',
      `clusters:\n  - {id: ${CLUSTER}, location: eastus}\n  - {id: ${CLUSTER.toUpperCase().replace('SUBSCRIPTIONS', 'subscriptions')}, location: eastus}\n`,
      'clusters[1].id: the cluster is already declared at clusters[0]',
    ],
    ['fault.yaml', 'faults:\n  f1:\n    kind: explode\n', "The value of 'faults.f1.kind' must be one of: failInstall, failUpgrade, failUninstall, hang, unreachable, latency."],
    [
      'kubeconfig.yaml',
      `clusters:\n  - id: ${CLUSTER}\n    location: eastus\n    driver: helm\n    kubeconfigFile: nowhere/config\n`,
      `clusters[0].kubeconfigFile: ${path.join(dir, 'nowhere/config')} cannot be read (ENOENT)`,
    ],
  ])('%s', (name, text, expected) => {
    const file = text === null ? path.join(dir, name) : bad(name, text)
    const message = problem(file)
    expect(message.startsWith(`SEED_FILE=${file}: `)).toBe(true)
    const rest = message.slice(`SEED_FILE=${file}: `.length)
    if (typeof expected === 'string') expect(rest).toBe(expected)
    else expect(rest).toMatch(expected)
  })

  it('stops the api before it connects to anything', async () => {
    const file = bad('early.yaml', 'clusters: {}\n')
    const config = loadConfig({ ...process.env, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', SEED_FILE: file, PORT: '0', HTTPS_PORT: '0', DATA_DIR: dir })
    await expect(startApi(config)).rejects.toThrow(`SEED_FILE=${file}: clusters: must be array`)
  })
})
