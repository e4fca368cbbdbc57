// The real entry points against a database holding a secret sealed with a key the keyring lacks: api and worker
// stop with one line naming the key, start once it is back (ENCRYPTION_KEYS_PREVIOUS), and `npm run keys`
// (scripts/keys.ts) reports and refuses as documented, never printing existing key material.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { keyFromMaterial } from '../../core/keyring.js'
import { repoRoot } from '../../core/paths.js'
import { dropDatabase, siblingDatabaseUrl } from '../helpers/isolation.js'
import { registerCluster, startHarness } from '../helpers/harness.js'
import { extensionPath, freshSubscription } from '../helpers/harness.js'
import { runOperation } from '../drivers/support.js'

const oldKey = randomBytes(32).toString('hex')
const newKey = randomBytes(32).toString('hex')
const oldKeyId = keyFromMaterial(Buffer.from(oldKey, 'hex')).id
const newKeyId = keyFromMaterial(Buffer.from(newKey, 'hex')).id
const databaseUrl = siblingDatabaseUrl(inject('databaseUrl'), 'keys_')
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-keys-proc-'))

beforeAll(async () => {
  const h = await startHarness({ env: { DATABASE_URL: databaseUrl, ENCRYPTION_KEY: oldKey } })
  try {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const result = await runOperation(h, 'PUT', extensionPath(sub, 'flux'), { properties: { extensionType: 'microsoft.flux', configurationProtectedSettings: { sshKey: 's' } } })
    expect(result.status).toBe('Succeeded')
  } finally {
    await h.close()
  }
})

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true })
  await dropDatabase(databaseUrl)
})

interface Exited {
  code: number | null
  stdout: string
  stderr: string
}

function run(args: string[], env: Record<string, string>, stopWhen?: string): Promise<Exited> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: databaseUrl,
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: `${inject('queuePrefixBase')}-keys`,
        DATA_DIR: dataDir,
        PORT: '0',
        HTTPS_PORT: '0',
        LOG_LEVEL: 'info',
        ...env,
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (stopWhen && stdout.includes(stopWhen)) child.kill('SIGTERM')
    })
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function expectNoKeyMaterial(result: Exited): void {
  for (const key of [oldKey, newKey]) {
    expect(result.stdout + result.stderr).not.toContain(key)
    expect(result.stdout + result.stderr).not.toContain(Buffer.from(key, 'hex').toString('base64'))
  }
}

describe('startup check of stored secrets', () => {
  it.each([
    ['api', 'api/main.ts'],
    ['worker', 'workers/main.ts'],
  ])('%s stops with one line naming the missing key when ENCRYPTION_KEY changed', async (name, entry) => {
    const result = await run([entry], { ENCRYPTION_KEY: newKey })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toEqual([
      `arcext ${name}: cannot start: stored secrets are sealed with encryption keys that are not in the keyring (ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS): ` +
        `${oldKeyId} (1 in extensions.protected_settings_sealed, 1 in extensions.last_good_protected_settings_sealed); add the missing keys to ENCRYPTION_KEYS_PREVIOUS and start again`,
    ])
    expectNoKeyMaterial(result)
  })

  it('with a keyring file that lacks the key, the line says to restore the file', async () => {
    const result = await run(['api/main.ts'], {})
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      new RegExp(
        `^arcext api: cannot start: stored secrets are sealed with encryption keys that are not in the keyring \\(the keyring file .*keyring\\.json\\): ${oldKeyId} \\(1 in extensions\\.protected_settings_sealed, 1 in extensions\\.last_good_protected_settings_sealed\\); restore the keyring file from a backup`,
      ),
    )
  })

  it('the worker starts once the old key is back in ENCRYPTION_KEYS_PREVIOUS', async () => {
    const result = await run(['workers/main.ts'], { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey }, 'arcext worker started')
    expect(result.stdout).toContain('arcext worker started')
    expect(result.code).toBe(0)
    expectNoKeyMaterial(result)
  })
})

describe('npm run keys (scripts/keys.ts) with env keys', () => {
  it('status names each key and what it seals', async () => {
    const result = await run(['scripts/keys.ts', 'status'], { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey })
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n')).toEqual([
      'keys from ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS',
      `${newKeyId}  current  seals 0 value(s)`,
      `${oldKeyId}  previous  seals 2 value(s) (extensions.protected_settings_sealed 1, extensions.last_good_protected_settings_sealed 1)`,
      `${oldKeyId} still seals values: run npm run keys -- reencrypt, then retire it`,
    ])
    const missing = await run(['scripts/keys.ts', 'status'], { ENCRYPTION_KEY: newKey })
    expect(missing.stdout).toContain(`${oldKeyId}  MISSING from the keyring  seals 2 value(s)`)
    expectNoKeyMaterial(result)
  })

  it('rotate prints a new key and the env change, never the existing keys', async () => {
    const result = await run(['scripts/keys.ts', 'rotate'], { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey })
    expect(result.code).toBe(0)
    const printed = /^ {2}([0-9a-f]{64})$/m.exec(result.stdout)?.[1]
    expect(printed).toBeDefined()
    expect(result.stdout).toContain(`new key ${keyFromMaterial(Buffer.from(printed!, 'hex')).id} (shown only now`)
    expect(result.stdout).toContain('ENCRYPTION_KEY=<new key>')
    expectNoKeyMaterial(result)
  })

  it('retire refuses while a value is sealed with the key, then re-encrypt makes it retirable', async () => {
    const env = { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey }
    const refused = await run(['scripts/keys.ts', 'retire', oldKeyId], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toBe(
      `arcext keys: cannot retire: key ${oldKeyId} still seals 2 value(s) (extensions.protected_settings_sealed: 1, extensions.last_good_protected_settings_sealed: 1); run npm run keys -- reencrypt first`,
    )
    const reencrypted = await run(['scripts/keys.ts', 'reencrypt'], env)
    expect(reencrypted.code).toBe(0)
    expect(reencrypted.stdout).toContain(`re-encrypted 2 value(s) with key ${newKeyId}`)
    expect(reencrypted.stdout).toContain(`key ${oldKeyId} seals nothing any more and can be retired`)
    const retired = await run(['scripts/keys.ts', 'retire', oldKeyId], env)
    expect(retired.code).toBe(0)
    expect(retired.stdout.trim()).toBe(`nothing is sealed with key ${oldKeyId} any more: remove entry 1 from ENCRYPTION_KEYS_PREVIOUS on every api and worker, and restart them`)
    // And the api starts with the new key alone.
    const api = await run(['api/main.ts'], { ENCRYPTION_KEY: newKey }, 'arcext api listening')
    expect(api.code).toBe(0)
    for (const result of [refused, reencrypted, retired, api]) expectNoKeyMaterial(result)
  })
})
