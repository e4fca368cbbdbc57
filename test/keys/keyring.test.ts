// The keyring on its own: the generated file, migration of an earlier master.key, rotation picked up by a running
// process without a restart, retirement, env keys and their validation, and the keyed digest (mac).
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../core/config.js'
import { KeyringError, keyFromMaterial, keyringFilePath, removeKeyFromKeyringFile, rotateKeyringFile } from '../../core/keyring.js'
import { SecretBox, SecretUnavailableError, loadSecretBox, sealedKeyId } from '../../core/secrets.js'

const dirs: string[] = []
function dataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arcext-keyring-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const fileBox = (dir: string) => loadSecretBox({ encryptionKey: undefined, encryptionKeysPrevious: [], dataDir: dir })
const mode = (file: string) => (statSync(file).mode & 0o777).toString(8)

function unavailable(open: () => unknown): SecretUnavailableError {
  try {
    open()
  } catch (error) {
    if (error instanceof SecretUnavailableError) return error
    throw error
  }
  throw new Error('the value opened')
}

describe('keyring file', () => {
  it('is generated once with mode 0600 in a 0700 directory and reused by every process on the same DATA_DIR', () => {
    const dir = dataDir()
    const first = fileBox(dir)
    const file = keyringFilePath(dir)
    expect(mode(file)).toBe('600')
    expect(mode(path.dirname(file))).toBe('700')
    const second = fileBox(dir)
    expect(second.keyring.current.id).toBe(first.keyring.current.id)
    expect(second.open(first.seal('hello'))).toBe('hello')
    const stored = JSON.parse(readFileSync(file, 'utf8'))
    expect(stored).toMatchObject({ version: 1, current: first.keyring.current.id, keys: [{ id: first.keyring.current.id }] })
  })

  it('migrates a master.key of an earlier version transparently: values it sealed still open, and the old file goes', () => {
    const dir = dataDir()
    const material = randomBytes(32)
    mkdirSync(path.join(dir, 'keys'), { recursive: true })
    writeFileSync(path.join(dir, 'keys', 'master.key'), `${material.toString('hex')}\n`, { mode: 0o600 })
    const sealedBefore = new SecretBox(keyFromMaterial(material)).seal('kubeconfig before the upgrade')

    const box = fileBox(dir)
    expect(box.keyring.current.id).toBe(keyFromMaterial(material).id)
    expect(box.open(sealedBefore)).toBe('kubeconfig before the upgrade')
    expect(existsSync(path.join(dir, 'keys', 'master.key'))).toBe(false)
    expect(mode(keyringFilePath(dir))).toBe('600')
    // A second start reads the keyring, not a new key.
    expect(fileBox(dir).keyring.current.id).toBe(keyFromMaterial(material).id)
  })

  it('a running process seals with the new key right after a rotation and still opens values of the old key', () => {
    const dir = dataDir()
    const running = fileBox(dir) // e.g. the api, started before the rotation
    const oldKeyId = running.keyring.current.id
    const sealedOld = running.seal('old secret')

    const { newKeyId, previousKeyId } = rotateKeyringFile(dir) // `npm run keys -- rotate`, another process
    expect(previousKeyId).toBe(oldKeyId)
    expect(newKeyId).not.toBe(oldKeyId)
    expect(mode(keyringFilePath(dir))).toBe('600')

    const sealedNew = running.seal('new secret')
    expect(sealedKeyId(sealedNew)).toBe(newKeyId)
    expect(running.open(sealedOld)).toBe('old secret')
    // Another process that had not used the keyring since the rotation opens the new value too.
    expect(fileBox(dir).open(sealedNew)).toBe('new secret')
  })

  it('after retiring the old key its values no longer open: missing-key, naming the key id only', () => {
    const dir = dataDir()
    const running = fileBox(dir)
    const sealedOld = running.seal('old secret')
    const oldKeyId = running.keyring.current.id
    rotateKeyringFile(dir)
    removeKeyFromKeyringFile(dir, oldKeyId)
    const error = unavailable(() => running.open(sealedOld))
    expect(error.reason).toBe('missing-key')
    expect(error.keyId).toBe(oldKeyId)
    expect(error.message).not.toContain('old secret')
    expect(() => removeKeyFromKeyringFile(dir, running.keyring.current.id)).toThrow(/is the current key/)
  })

  it('a value altered in storage fails authentication, never opens as something else', () => {
    const box = fileBox(dataDir())
    const sealed = box.seal('{"password":"x"}')
    const parts = sealed.split('.')
    const body = Buffer.from(parts[4]!, 'base64url')
    body[0] = body[0]! ^ 1
    parts[4] = body.toString('base64url')
    expect(unavailable(() => box.open(parts.join('.'))).reason).toBe('authentication-failed')
    expect(unavailable(() => box.open('not sealed')).reason).toBe('malformed')
  })

  it('a broken keyring file stops a start with one line naming the file, not the keys', () => {
    const dir = dataDir()
    const box = fileBox(dir)
    const file = keyringFilePath(dir)
    const stored = JSON.parse(readFileSync(file, 'utf8'))
    stored.current = 'aaaaaaaaaaaa'
    writeFileSync(file, JSON.stringify(stored))
    expect(() => fileBox(dir)).toThrow(KeyringError)
    expect(() => fileBox(dir)).toThrow(/keyring file .*keyring\.json is not a valid keyring: the current key 'aaaaaaaaaaaa' is not among its keys/)
    // A process already running keeps its keyring rather than failing requests.
    expect(box.open(box.seal('still works'))).toBe('still works')
  })
})

describe('env keys', () => {
  const hex = () => randomBytes(32).toString('hex')

  it('ENCRYPTION_KEY seals, ENCRYPTION_KEYS_PREVIOUS only opens', () => {
    const [oldKey, newKey] = [hex(), hex()]
    const before = loadSecretBox(loadConfig({ ENCRYPTION_KEY: oldKey, DATA_DIR: dataDir() }))
    const sealedOld = before.seal('old')
    const after = loadSecretBox(loadConfig({ ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: ` ${oldKey} , ${randomBytes(32).toString('base64')}`, DATA_DIR: dataDir() }))
    expect(after.open(sealedOld)).toBe('old')
    expect(sealedKeyId(after.seal('new'))).toBe(keyFromMaterial(Buffer.from(newKey, 'hex')).id)
    expect(after.keySource.kind).toBe('env')
    expect(after.keyring.keys.size).toBe(3)
  })

  it('a malformed key is a one-line ConfigError that never echoes the value', () => {
    const secretLooking = 'not-a-key-but-maybe-a-password'
    const attempts: Record<string, string>[] = [
      { ENCRYPTION_KEY: secretLooking },
      { ENCRYPTION_KEY: hex().slice(2) },
      { ENCRYPTION_KEY: hex(), ENCRYPTION_KEYS_PREVIOUS: `${hex()},${secretLooking}` },
      { ENCRYPTION_KEYS_PREVIOUS: hex() },
    ]
    for (const env of attempts) {
      let error: unknown
      try {
        loadConfig(env)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(ConfigError)
      const message = (error as Error).message
      expect(message.split('\n')).toHaveLength(1)
      expect(message).not.toContain(secretLooking)
      for (const value of Object.values(env)) for (const part of value.split(',')) expect(message).not.toContain(part.trim())
    }
    expect(() => loadConfig({ ENCRYPTION_KEYS_PREVIOUS: hex() })).toThrow(/ENCRYPTION_KEYS_PREVIOUS is set without ENCRYPTION_KEY/)
  })
})

describe('keyed digest (mac)', () => {
  it('is hmac-sha256.<keyId>.<base64url>, checked with the key it names, also after a rotation, and not after retirement', () => {
    const dir = dataDir()
    const box = fileBox(dir)
    const oldKeyId = box.keyring.current.id
    const mac = box.mac('values')
    expect(mac).toMatch(new RegExp(`^hmac-sha256\\.${oldKeyId}\\.[A-Za-z0-9_-]{43}$`))
    expect(box.macMatches('values', mac)).toBe(true)
    expect(box.macMatches('values2', mac)).toBe(false)
    expect(box.macMatches('values', `${mac}x`)).toBe(false)
    rotateKeyringFile(dir)
    expect(box.macMatches('values', mac)).toBe(true)
    expect(box.mac('values')).not.toBe(mac)
    removeKeyFromKeyringFile(dir, oldKeyId)
    expect(box.macMatches('values', mac)).toBe(false)
  })
})
