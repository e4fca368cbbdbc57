// The only module that sees secrets in plaintext (configurationProtectedSettings, kubeconfigs).
// AES-256-GCM with a random 96-bit IV; each sealed value names the key that sealed it (`v1.<keyId>.<iv>.<tag>.<body>`),
// so keys can be rotated (core/keyring.ts: one current key for sealing, older ones for opening) without rewriting
// rows first.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { fixedKeyringSource, keyringSourceFor, makeKeyring, type Key, type Keyring, type KeyringSource } from './keyring.js'

export { keyFromMaterial, type Key } from './keyring.js'

const FORMAT = 'v1'

/** Why a sealed value could not be opened. None of them is fixed by trying again. */
export type SecretUnavailableReason = 'missing-key' | 'authentication-failed' | 'malformed'

/**
 * A sealed value this process cannot open: its key is not in the keyring, or the value does not authenticate with
 * it. Names the key id only, never the value. A configuration fault of the service, not of the request.
 */
export class SecretUnavailableError extends Error {
  constructor(
    readonly reason: SecretUnavailableReason,
    readonly keyId: string | null,
  ) {
    super(
      reason === 'missing-key'
        ? `the value is sealed with encryption key ${keyId}, which is not in the keyring`
        : reason === 'authentication-failed'
          ? `the value sealed with encryption key ${keyId} does not authenticate (the key material differs or the value was altered)`
          : 'the value is not a sealed secret of a known format',
    )
  }
}

/** The key id a sealed value names, or null when it is not a sealed value. Needs no key. */
export function sealedKeyId(sealed: string): string | null {
  const [format, keyId] = sealed.split('.', 2)
  return format === FORMAT && keyId ? keyId : null
}

export class SecretBox {
  private readonly source: KeyringSource

  constructor(current: Key, previous?: Key[])
  constructor(source: KeyringSource)
  constructor(currentOrSource: Key | KeyringSource, previous: Key[] = []) {
    this.source = 'read' in currentOrSource ? currentOrSource : fixedKeyringSource(makeKeyring(currentOrSource, previous))
  }

  /** The keyring as it is now (a file keyring is re-read when `npm run keys` changed it). */
  get keyring(): Keyring {
    return this.source.read()
  }

  /** Where the keys come from, for messages. */
  get keySource(): Pick<KeyringSource, 'kind' | 'description'> {
    return { kind: this.source.kind, description: this.source.description }
  }

  private get current(): Key {
    return this.keyring.current
  }

  private get keys(): ReadonlyMap<string, Key> {
    return this.keyring.keys
  }

  seal(plaintext: string): string {
    const current = this.current
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', current.material, iv)
    cipher.setAAD(Buffer.from(`${FORMAT}.${current.id}`))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return [FORMAT, current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.')
  }

  open(sealed: string): string {
    const [format, keyId, iv, tag, body] = sealed.split('.')
    if (format !== FORMAT || !keyId || iv === undefined || tag === undefined || body === undefined) {
      throw new SecretUnavailableError('malformed', null)
    }
    // Reading the keys re-reads a changed keyring file: a value sealed by a process that already saw a rotation
    // opens here too.
    const key = this.keys.get(keyId)
    if (!key) throw new SecretUnavailableError('missing-key', keyId)
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(`${format}.${keyId}`))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      throw new SecretUnavailableError('authentication-failed', keyId)
    }
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value))
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T
  }

  /** A keyed digest of `data` (HMAC-SHA256 under a key derived from the current key), naming the key it used. */
  mac(data: string): string {
    const current = this.current
    return `${MAC_FORMAT}.${current.id}.${createHmac('sha256', macKey(current)).update(data, 'utf8').digest('base64url')}`
  }

  /** Whether `mac` names a key that has left the keyring, so macMatches cannot tell whether it matches. */
  macKeyRetired(mac: string): boolean {
    const [format, keyId] = mac.split('.')
    return format === MAC_FORMAT && keyId !== undefined && !this.keys.get(keyId)
  }

  /** Whether `mac` is mac(data) under the key it names; false when that key is no longer in the keyring. */
  macMatches(data: string, mac: string): boolean {
    const [format, keyId, digest, extra] = mac.split('.')
    if (format !== MAC_FORMAT || !keyId || digest === undefined || extra !== undefined) return false
    const key = this.keys.get(keyId)
    if (!key) return false
    const expected = createHmac('sha256', macKey(key)).update(data, 'utf8').digest()
    const given = Buffer.from(digest, 'base64url')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
}

const MAC_FORMAT = 'hmac-sha256'

/** MAC keys by the key they come from: derived once per key, not per digest (the worker takes one per operation). */
const macKeys = new WeakMap<Key, Buffer>()

/** A separate key for MACs, so the sealing key is never used for two purposes. */
function macKey(key: Key): Buffer {
  let derived = macKeys.get(key)
  if (!derived) {
    derived = Buffer.from(hkdfSync('sha256', key.material, Buffer.alloc(0), 'arcext values digest', 32))
    macKeys.set(key, derived)
  }
  return derived
}

/**
 * The keyring from ENCRYPTION_KEY / ENCRYPTION_KEYS_PREVIOUS when ENCRYPTION_KEY is set; otherwise
 * DATA_DIR/keys/keyring.json, generated once (or migrated from an earlier master.key) and re-read when it changes.
 */
export function loadSecretBox(options: { encryptionKey: string | undefined; encryptionKeysPrevious: readonly string[]; dataDir: string }): SecretBox {
  return new SecretBox(keyringSourceFor(options))
}
