// Key rotation while the service works: clients keep writing protected settings (PUT and PATCH each replace the whole
// map, as in Azure) and the worker keeps opening them, while `npm run keys -- rotate` runs
// twice (the keyring file changes under the running api and worker, which pick it up without a restart) and
// re-encrypts. Every operation must succeed, every value must end up on the newest key with the value last written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../core/db/client.js'
import { runKeysCommand } from '../../core/key-commands.js'
import { loadSecretBox, sealedKeyId } from '../../core/secrets.js'
import { SEALED_COLUMNS } from '../../core/store/sealed-values.js'
import { extensionPath, freshSubscription, registerCluster } from '../helpers/harness.js'
import { runOperation, startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'

const CLIENTS = 6

let h: IsolatedHarness
let db: Db

beforeAll(async () => {
  h = await startIsolatedHarness({ env: { ENCRYPTION_KEY: '', SIMULATED_STEP_LATENCY_MS: '20' } })
  db = createDb(h.databaseUrl, 4)
})

afterAll(async () => {
  await db?.$disconnect()
  await h?.close()
})

async function keys(...args: string[]): Promise<string[]> {
  const lines: string[] = []
  await runKeysCommand(args, { config: h.config, db, box: loadSecretBox(h.config), print: (line) => lines.push(line), reencrypt: { passPauseMs: 100, batchSize: 2 } })
  return lines
}

interface Client {
  sub: string
  /** What the stored protected settings must be after the last accepted write. */
  expected: Record<string, string>
  results: { method: string; status: string; code?: string }[]
}

async function runClient(client: Client, index: number, stop: () => boolean): Promise<void> {
  const path = extensionPath(client.sub, 'flux')
  for (let n = 0; !stop(); n++) {
    if (n % 2 === 0) {
      const settings = { sshKey: `key-${index}-${n}`, token: `token-${index}-${n}` }
      const result = await runOperation(h, 'PUT', path, { properties: { extensionType: 'microsoft.flux', configurationProtectedSettings: settings } })
      client.results.push({ method: 'PUT', status: result.status, code: result.error?.code })
      client.expected = settings
    } else {
      // A PATCH replaces the whole map: what it leaves out is deleted.
      const patch = { token: `patched-${index}-${n}` }
      const result = await runOperation(h, 'PATCH', path, { properties: { configurationProtectedSettings: patch } })
      client.results.push({ method: 'PATCH', status: result.status, code: result.error?.code })
      client.expected = patch
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('key rotation under load', () => {
  it('rotates twice and re-encrypts while PUT and PATCH of protected settings run; nothing fails, nothing is lost', { timeout: 120_000 }, async () => {
    const clients: Client[] = []
    for (let i = 0; i < CLIENTS; i++) {
      const sub = freshSubscription()
      await registerCluster(h, sub)
      clients.push({ sub, expected: {}, results: [] })
    }
    const firstKeyId = loadSecretBox(h.config).keyring.current.id
    let stopping = false
    const load = Promise.all(clients.map((client, index) => runClient(client, index, () => stopping)))

    await pause(1000)
    const first = await keys('rotate')
    await pause(800)
    const second = await keys('rotate')
    await pause(800)
    stopping = true
    await load

    const box = loadSecretBox(h.config)
    const newestKeyId = box.keyring.current.id
    const secondKeyId = first[0]!.split(' ')[3]!
    expect(new Set([firstKeyId, secondKeyId, newestKeyId]).size).toBe(3)
    expect(second[0]).toContain(`new current key ${newestKeyId}`)

    // Every write the clients made was carried out.
    const all = clients.flatMap((client) => client.results)
    expect(all.length).toBeGreaterThanOrEqual(CLIENTS * 4)
    expect(all.filter((result) => result.status !== 'Succeeded')).toEqual([])
    expect(all.some((result) => result.method === 'PATCH')).toBe(true)

    // A last pass, as an operator would run after writes that may have used a key not yet re-read.
    const final = await keys('reencrypt')
    expect(final.join('\n')).toContain(`key ${firstKeyId} seals nothing any more and can be retired`)
    expect(final.join('\n')).toContain(`key ${secondKeyId} seals nothing any more and can be retired`)
    for (const column of SEALED_COLUMNS) {
      const rows = await db.$queryRawUnsafe<{ sealed: string }[]>(`SELECT ${column.column} AS sealed FROM ${column.table} WHERE ${column.column} IS NOT NULL`)
      expect(new Set(rows.map((row) => sealedKeyId(row.sealed)))).toEqual(column.table === 'extensions' ? new Set([newestKeyId]) : new Set())
    }

    // The stored values are the last ones written, read through the keyring with only the newest key left.
    await keys('retire', firstKeyId)
    await keys('retire', secondKeyId)
    const onlyNewest = loadSecretBox(h.config)
    expect([...onlyNewest.keyring.keys.keys()]).toEqual([newestKeyId])
    for (const client of clients) {
      const row = await db.extension.findFirstOrThrow({ where: { resourceId: extensionPath(client.sub, 'flux') }, select: { protectedSettingsSealed: true, provisioningState: true } })
      expect(row.provisioningState).toBe('Succeeded')
      expect(onlyNewest.openJson(row.protectedSettingsSealed!)).toEqual(client.expected)
    }
    // The running worker still works with the retired keys gone.
    const after = await runOperation(h, 'PATCH', extensionPath(clients[0]!.sub, 'flux'), { properties: { configurationProtectedSettings: { late: 'l' } } })
    expect(after.status).toBe('Succeeded')
  })
})
