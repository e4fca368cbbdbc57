// The only module that sees secrets in plaintext (configurationProtectedSettings, kubeconfigs).
// AES-256-GCM with a random 96-bit IV; each sealed value names the key that sealed it, so keys can be
// rotated later (a keyring of old keys for opening, one current key for sealing) without rewriting rows first.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const FORMAT = 'v1'

export interface Key {
  id: string
  material: Buffer
}

export class SecretBox {
  private readonly keys: Map<string, Key>

  constructor(
    private readonly current: Key,
    previous: Key[] = [],
  ) {
    this.keys = new Map([current, ...previous].map((key) => [key.id, key]))
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.current.material, iv)
    cipher.setAAD(Buffer.from(`${FORMAT}.${this.current.id}`))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return [FORMAT, this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.')
  }

  open(sealed: string): string {
    const [format, keyId, iv, tag, body] = sealed.split('.')
    if (format !== FORMAT || !keyId || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('sealed secret has an unknown format')
    }
    const key = this.keys.get(keyId)
    if (!key) throw new Error(`sealed secret needs key ${keyId}, which is not in the keyring`)
    const decipher = createDecipheriv('aes-256-gcm', key.material, Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(`${format}.${keyId}`))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value))
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T
  }

  /**
   * A keyed digest, `hmac-sha256.<keyId>.<base64url>`, of data that may hold secrets (a release's values): unlike a
   * bare hash it cannot confirm a guessed secret offline. Its key is derived with HKDF from the current encryption
   * key, so the encryption key itself is never used for anything but sealing.
   */
  mac(data: string): string {
    return `hmac-sha256.${this.current.id}.${this.macWith(this.current, data).toString('base64url')}`
  }

  /** Whether `mac` is data's digest under a key still in the keyring; false for a key no longer there or another format. */
  macMatches(data: string, mac: string): boolean {
    const [format, keyId, digest, ...rest] = mac.split('.')
    const key = keyId ? this.keys.get(keyId) : undefined
    if (format !== 'hmac-sha256' || !key || !digest || rest.length > 0) return false
    const expected = this.macWith(key, data)
    const given = Buffer.from(digest, 'base64url')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  private macWith(key: Key, data: string): Buffer {
    const macKey = Buffer.from(hkdfSync('sha256', key.material, Buffer.alloc(0), 'arcext values digest v1', 32))
    return createHmac('sha256', macKey).update(data, 'utf8').digest()
  }
}

export function keyFromMaterial(material: Buffer): Key {
  if (material.length !== 32) throw new Error(`encryption key must be 32 bytes, got ${material.length}`)
  return { id: createHash('sha256').update(material).digest('hex').slice(0, 12), material }
}

function decodeKey(text: string): Buffer {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex')
  return Buffer.from(trimmed, 'base64')
}

/**
 * ENCRYPTION_KEY (64 hex chars or base64 of 32 bytes) when set; otherwise a key generated once into
 * DATA_DIR/keys/master.key (mode 0600) and reused, so a local emulator needs no setup.
 */
export function loadSecretBox(options: { encryptionKey: string | undefined; dataDir: string }): SecretBox {
  if (options.encryptionKey) return new SecretBox(keyFromMaterial(decodeKey(options.encryptionKey)))
  const file = path.join(options.dataDir, 'keys', 'master.key')
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  if (!existsSync(file)) {
    // Written aside and hard-linked into place, so a concurrently starting process never reads a half-written key.
    const staging = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
    writeFileSync(staging, randomBytes(32).toString('hex') + '\n', { mode: 0o600 })
    try {
      linkSync(staging, file)
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error
    } finally {
      unlinkSync(staging)
    }
  }
  return new SecretBox(keyFromMaterial(decodeKey(readFileSync(file, 'utf8'))))
}
