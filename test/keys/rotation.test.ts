// `npm run keys` against a running api and worker on a database of their own (the commands act on every stored
// value), with the keyring file in DATA_DIR: rotate, re-encrypt, status, retire; and what the api and a worker do
// with a value sealed with a key the keyring does not have.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../core/db/client.js'
import { runKeysCommand } from '../../core/key-commands.js'
import { keyFromMaterial, rotateKeyringFile } from '../../core/keyring.js'
import { SecretBox, loadSecretBox, sealedKeyId } from '../../core/secrets.js'
import { SEALED_COLUMNS } from '../../core/store/sealed-values.js'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, until } from '../helpers/harness.js'
import { runOperation, startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'

let h: IsolatedHarness
let db: Db

beforeAll(async () => {
  // ENCRYPTION_KEY '' = the keyring file in this harness's DATA_DIR.
  h = await startIsolatedHarness({ env: { ENCRYPTION_KEY: '' } })
  db = createDb(h.databaseUrl, 2)
})

afterAll(async () => {
  await db?.$disconnect()
  await h?.close()
})

/** `npm run keys -- <args>` as its own process would run it: its own view of the same DATA_DIR and database. */
async function keys(...args: string[]): Promise<string[]> {
  const lines: string[] = []
  await runKeysCommand(args, { config: h.config, db, box: loadSecretBox(h.config), print: (line) => lines.push(line), reencrypt: { passPauseMs: 50 } })
  return lines
}

async function storedKeyIds(): Promise<string[]> {
  const ids: string[] = []
  for (const column of SEALED_COLUMNS) {
    const rows = await db.$queryRawUnsafe<{ sealed: string }[]>(`SELECT ${column.column} AS sealed FROM ${column.table} WHERE ${column.column} IS NOT NULL`)
    ids.push(...rows.map((row) => sealedKeyId(row.sealed) ?? 'malformed'))
  }
  return ids
}

const KUBECONFIG =
  'apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster: {server: "https://10.0.0.1:6443", certificate-authority-data: "Zm9v"}\nusers:\n- name: u\n  user: {token: "kubeconfig-token-rotation"}\ncontexts:\n- name: c\n  context: {cluster: c1, user: u}\ncurrent-context: c\n'

async function extensionWithSecrets(sub: string, name: string, secret: string, extensionType = 'microsoft.flux'): Promise<void> {
  const result = await runOperation(h, 'PUT', extensionPath(sub, name), {
    properties: { extensionType, configurationProtectedSettings: { sshKey: secret } },
  })
  expect(result.status).toBe('Succeeded')
}

async function openStored(name: string): Promise<Record<string, string>> {
  const row = await db.extension.findFirstOrThrow({ where: { nameKey: name.toLowerCase() }, select: { protectedSettingsSealed: true } })
  return loadSecretBox(h.config).openJson<Record<string, string>>(row.protectedSettingsSealed!)
}

describe('rotate, re-encrypt, status, retire', () => {
  it('moves every stored secret to a new key while the old one keeps opening, then retires the old key only once nothing uses it', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const driver = await call(h, 'PUT', `/admin/clusters/${encodeURIComponent(cluster)}/driver`, { driver: 'simulated', kubeconfig: KUBECONFIG })
    expect(driver.status).toBe(200)
    await extensionWithSecrets(sub, 'flux-a', 'secret-a')

    const oldKeyId = loadSecretBox(h.config).keyring.current.id
    const before = await keys('status')
    expect(before).toContain(`${oldKeyId}  current  seals 3 value(s) (extensions.protected_settings_sealed 1, extensions.last_good_protected_settings_sealed 1, clusters.kubeconfig_sealed 1)`)

    // The rotation alone (what `rotate` does before re-encrypting): new writes use the new key at once, in the
    // api and in the worker, with no restart.
    const { newKeyId } = rotateKeyringFile(h.config.dataDir)
    await extensionWithSecrets(sub, 'dapr-b', 'secret-b', 'microsoft.dapr')
    const patched = await runOperation(h, 'PATCH', extensionPath(sub, 'flux-a'), { properties: { configurationSettings: { x: '1' } } })
    expect(patched.status).toBe('Succeeded') // the worker opened flux-a's old-key secrets
    // Each extension's last known good holds the sealed value it was applied with (flux-a's PATCH kept its old-key one).
    expect((await storedKeyIds()).sort()).toEqual([newKeyId, newKeyId, oldKeyId, oldKeyId, oldKeyId].sort())
    expect(await openStored('flux-a')).toEqual({ sshKey: 'secret-a' })

    const refused = await keys('retire', oldKeyId).then(
      () => null,
      (error: Error) => error.message,
    )
    expect(refused).toBe(
      `cannot retire: key ${oldKeyId} still seals 3 value(s) (extensions.protected_settings_sealed: 1, extensions.last_good_protected_settings_sealed: 1, clusters.kubeconfig_sealed: 1); run npm run keys -- reencrypt first`,
    )

    const etagsBefore = await db.extension.findMany({ select: { id: true, etag: true, lastModifiedAt: true }, orderBy: { id: 'asc' } })
    const reencrypted = await keys('reencrypt')
    // Re-encryption does not change the resources: no new etag (an If-Match of a client still holds), no lastModifiedAt.
    expect(await db.extension.findMany({ select: { id: true, etag: true, lastModifiedAt: true }, orderBy: { id: 'asc' } })).toEqual(etagsBefore)
    expect(reencrypted).toContain(`re-encrypted 3 value(s) with key ${newKeyId} in 1 pass(es)`)
    expect(reencrypted).toContain(`key ${oldKeyId} seals nothing any more and can be retired: npm run keys -- retire ${oldKeyId}`)
    expect(await storedKeyIds()).toEqual([newKeyId, newKeyId, newKeyId, newKeyId, newKeyId])
    expect(await openStored('flux-a')).toEqual({ sshKey: 'secret-a' })
    expect(await openStored('dapr-b')).toEqual({ sshKey: 'secret-b' })

    expect(await keys('retire', oldKeyId)).toEqual([expect.stringMatching(new RegExp(`^key ${oldKeyId} removed from the keyring file .*keyring\\.json`))])
    expect(loadSecretBox(h.config).keyring.keys.has(oldKeyId)).toBe(false)
    // The running worker still carries out operations that need the kubeconfig and the protected settings.
    const after = await runOperation(h, 'PATCH', extensionPath(sub, 'dapr-b'), { properties: { configurationProtectedSettings: { sshKey: 'secret-b', extra: 'e' } } })
    expect(after.status).toBe('Succeeded')
    expect(await openStored('dapr-b')).toEqual({ sshKey: 'secret-b', extra: 'e' })

    const status = await keys('status')
    expect(status[1]).toBe(`${newKeyId}  current  seals 5 value(s) (extensions.protected_settings_sealed 2, extensions.last_good_protected_settings_sealed 2, clusters.kubeconfig_sealed 1)`)
    expect(status.join('\n')).not.toContain(oldKeyId)
    await expect(keys('retire', newKeyId)).rejects.toThrow(`cannot retire: key ${newKeyId} is the current key`)
  })

  it('rotate re-encrypts at once and never prints key material', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    await extensionWithSecrets(sub, 'flux-c', 'secret-c')
    const lines = await keys('rotate')
    const box = loadSecretBox(h.config)
    expect(lines[0]).toMatch(new RegExp(`^new current key ${box.keyring.current.id} in the keyring file`))
    expect(new Set(await storedKeyIds())).toEqual(new Set([box.keyring.current.id]))
    for (const key of box.keyring.keys.values()) expect(lines.join('\n')).not.toContain(key.material.toString('hex'))
  })

  it('refuses unknown commands with the usage', async () => {
    await expect(keys('spin')).rejects.toThrow(/unknown command 'spin'\nusage: npm run keys -- <command>/)
    await expect(keys('retire')).rejects.toThrow(/retire needs exactly one key id/)
  })
})

describe('a value sealed with a key the keyring does not have', () => {
  const foreign = new SecretBox(keyFromMaterial(randomBytes(32)))

  async function plantForeignSecret(name: string): Promise<{ sealed: string; etag: string }> {
    const sealed = foreign.sealJson({ sshKey: 'foreign-secret' })
    await db.extension.updateMany({ where: { nameKey: name }, data: { protectedSettingsSealed: sealed } })
    const { etag } = await db.extension.findFirstOrThrow({ where: { nameKey: name }, select: { etag: true } })
    return { sealed, etag }
  }

  it('a PATCH or PUT of the protected settings replaces them without opening the old ones', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    await extensionWithSecrets(sub, 'flux-p', 'secret-p')
    await plantForeignSecret('flux-p')

    // Azure replaces the whole map on PATCH, so the stored secrets (sealed with a key this keyring lacks) are not needed.
    const patched = await runOperation(h, 'PATCH', extensionPath(sub, 'flux-p'), { properties: { configurationProtectedSettings: { other: 'o' } } })
    expect(patched.status).toBe('Succeeded')
    expect(await openStored('flux-p')).toEqual({ other: 'o' })

    await plantForeignSecret('flux-p')
    const replaced = await runOperation(h, 'PUT', extensionPath(sub, 'flux-p'), {
      properties: { extensionType: 'microsoft.flux', configurationProtectedSettings: { sshKey: 'new' } },
    })
    expect(replaced.status).toBe('Succeeded')
    expect(await openStored('flux-p')).toEqual({ sshKey: 'new' })
  })

  it('a worker operation fails permanently with EncryptionKeyUnavailable after one attempt, never retried', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    await extensionWithSecrets(sub, 'flux-w', 'secret-w')
    await plantForeignSecret('flux-w')

    const response = await call(h, 'PATCH', `${extensionPath(sub, 'flux-w')}?${EXTENSION_API}`, { properties: { configurationSettings: { y: '2' } } })
    expect(response.status).toBe(202)
    const asyncUrl = response.headers.get('azure-asyncoperation')!
    const done = await until(
      () => call<{ status: string; error?: { code: string; message: string } }>(h, 'GET', asyncUrl),
      (r) => r.body.status !== 'InProgress',
    )
    expect(done.body.status).toBe('Failed')
    expect(done.body.error?.code).toBe('EncryptionKeyUnavailable')
    expect(done.body.error?.message).toMatch(
      /^The configurationProtectedSettings of the extension cannot be decrypted: it is sealed with encryption key '[0-9a-f]{12}', which is not in this service's keyring\./,
    )
    const operationId = new URL(asyncUrl).pathname.split('/').at(-1)!
    const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId } })
    expect(operation.attempts).toBe(1)
    const extension = await call<{ properties: { provisioningState: string; statuses: { displayStatus: string; code: string }[] } }>(h, 'GET', `${extensionPath(sub, 'flux-w')}?${EXTENSION_API}`)
    expect(extension.body.properties.provisioningState).toBe('Failed')
    expect(extension.body.properties.statuses.some((status) => status.displayStatus === 'Retrying')).toBe(false)
    expect(JSON.stringify(extension.body)).not.toContain('foreign-secret')
  })
})
