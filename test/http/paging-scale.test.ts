// Keyset paging stays correct at 100k rows: every extension exactly once, in order, with a nextLink on every page
// but the last, and the database answering each page from the (cluster_id, name_key) index.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, clusterPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

const ROWS = 100_000
let h: Harness
const sub = freshSubscription()

beforeAll(async () => {
  h = await startHarness({ worker: false })
  await registerCluster(h, sub, 'big')
  const client = new pg.Client({ connectionString: h.config.databaseUrl })
  await client.connect()
  // Rows written straight to the table: 100k PUTs would measure the write path, not paging.
  await client.query(
    `INSERT INTO extensions (id, id_key, resource_id, cluster_id, name, name_key, extension_type, spec, provisioning_state, etag,
                             created_by, created_by_type, last_modified_by, last_modified_by_type)
     SELECT gen_random_uuid(), lower(c.resource_id || '/providers/Microsoft.KubernetesConfiguration/extensions/ext-' || lpad(i::text, 6, '0')),
            c.resource_id || '/providers/Microsoft.KubernetesConfiguration/extensions/ext-' || lpad(i::text, 6, '0'),
            c.id, 'ext-' || lpad(i::text, 6, '0'), 'ext-' || lpad(i::text, 6, '0'), 'microsoft.apimanagement',
            jsonb_build_object('extensionType', 'microsoft.apimanagement', 'autoUpgradeMinorVersion', true, 'releaseTrain', 'Stable', 'version', null,
                               'scope', jsonb_build_object('kind', 'namespace', 'targetNamespace', 'ns'), 'configurationSettings', '{}'::jsonb,
                               'identity', null, 'plan', null, 'aksAssignedIdentity', null),
            'Succeeded', gen_random_uuid()::text, 'seed', 'Application', 'seed', 'Application'
     FROM generate_series(1, $1) AS i, clusters c WHERE c.id_key = $2`,
    [ROWS, clusterPath(sub, 'big').toLowerCase()],
  )
  await client.query('ANALYZE extensions')
  await client.end()
}, 120_000)
afterAll(() => h?.close())

describe('paging at scale', () => {
  it(`walks ${ROWS} extensions with $top=1000, each exactly once and in order`, async () => {
    let url: string | undefined = `${clusterPath(sub, 'big')}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}&$top=1000`
    let seen = 0
    let previous = ''
    let pages = 0
    while (url) {
      const page: { status: number; body: { value: { name: string }[]; nextLink?: string } } = await call(h, 'GET', url)
      expect(page.status).toBe(200)
      for (const item of page.body.value) {
        expect(item.name > previous).toBe(true)
        previous = item.name
      }
      seen += page.body.value.length
      pages += 1
      url = page.body.nextLink
    }
    expect(seen).toBe(ROWS)
    expect(pages).toBe(ROWS / 1000)
    expect(previous).toBe(`ext-${String(ROWS).padStart(6, '0')}`)
  }, 120_000)

  it('answers a deep page from the index, not by scanning', async () => {
    const client = new pg.Client({ connectionString: h.config.databaseUrl })
    await client.connect()
    const { rows } = await client.query(`EXPLAIN SELECT * FROM extensions WHERE cluster_id = (SELECT id FROM clusters WHERE id_key = $1) AND name_key > 'ext-099000' ORDER BY name_key LIMIT 1001`, [
      clusterPath(sub, 'big').toLowerCase(),
    ])
    await client.end()
    const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')
    expect(plan).toMatch(/Index Scan using extensions_cluster_id_name_key_key/)
  })
})
