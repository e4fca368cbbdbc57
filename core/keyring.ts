// Where the keys sealing secrets come from: one current key that seals, older keys kept only to open what they
// sealed until re-encryption has moved every value to the current key (see core/key-rotation.ts).
//
// Two sources, never mixed:
//  - env: ENCRYPTION_KEY is the current key, ENCRYPTION_KEYS_PREVIOUS (comma-separated) the older ones. Fixed for
//    the life of the process; an operator rotates by changing the environment and restarting.
//  - file: DATA_DIR/keys/keyring.json, generated on first start (an existing DATA_DIR/keys/master.key becomes its
//    first key). Rewritten atomically (temporary file, fsync, rename) by `npm run keys`, and re-read by running
//    processes as soon as they notice it changed (a stat on every use), so a rotation needs no restart.
//
// Key material never leaves this module and core/secrets.ts: messages name keys by id (a digest of the material).
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs'
import path from 'node:path'

export interface Key {
  id: string
  material: Buffer
}

/** An immutable view of the keys: `current` seals, every key in `keys` (current included) opens. */
export interface Keyring {
  current: Key
  keys: ReadonlyMap<string, Key>
}

/** Anything that can hand out the keyring as it is now; a file-backed source re-reads after a rotation. */
export interface KeyringSource {
  /** 'file' when `npm run keys` can rotate it in place; 'env' when the operator rotates by changing the environment. */
  readonly kind: 'file' | 'env' | 'fixed'
  /** Where the keys come from, for messages (never the keys themselves). */
  readonly description: string
  read(): Keyring
}

/** A keyring that cannot be loaded or written: one line, naming the file or variable, never the key material. */
export class KeyringError extends Error {}

export function keyFromMaterial(material: Buffer): Key {
  if (material.length !== 32) throw new KeyringError(`encryption key must be 32 bytes, got ${material.length}`)
  return { id: createHash('sha256').update(material).digest('hex').slice(0, 12), material }
}

export function makeKeyring(current: Key, previous: readonly Key[] = []): Keyring {
  return { current, keys: new Map([...previous, current].map((key) => [key.id, key])) }
}

/** 64 hex characters, or base64/base64url of exactly 32 bytes; null for anything else (a typo must not become a key). */
export function decodeKeyText(text: string): Buffer | null {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const material = Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64')
    return material.length === 32 ? material : null
  }
  return null
}

export function newKeyMaterial(): Buffer {
  return randomBytes(32)
}

export const KEYRING_FILE_NAME = 'keyring.json'
const LEGACY_KEY_FILE_NAME = 'master.key'

/** keyring.json as stored. `id` is written for people reading the file; the id used is always recomputed. */
interface KeyringFileKey {
  id: string
  key: string
  createdAt: string
}

interface KeyringFile {
  version: 1
  current: string
  keys: KeyringFileKey[]
}

export function keyringFilePath(dataDir: string): string {
  return path.join(dataDir, 'keys', KEYRING_FILE_NAME)
}

function describeFile(file: string): string {
  return `the keyring file ${file}`
}

function parseKeyringFile(file: string, text: string): { ring: Keyring; stored: KeyringFile } {
  const broken = (why: string) => new KeyringError(`${describeFile(file)} is not a valid keyring: ${why}; restore it from a backup`)
  let stored: KeyringFile
  try {
    stored = JSON.parse(text) as KeyringFile
  } catch {
    throw broken('it is not JSON')
  }
  if (stored === null || typeof stored !== 'object' || stored.version !== 1 || typeof stored.current !== 'string' || !Array.isArray(stored.keys)) {
    throw broken('expected {"version": 1, "current": "<key id>", "keys": [...]}')
  }
  const keys: Key[] = []
  for (const [index, entry] of stored.keys.entries()) {
    const material = typeof entry?.key === 'string' ? decodeKeyText(entry.key) : null
    if (!material) throw broken(`keys[${index}].key is not 32 bytes as 64 hex characters or base64`)
    const key = keyFromMaterial(material)
    if (entry.id !== key.id) throw broken(`keys[${index}].id is '${String(entry.id)}' but its key has id '${key.id}'`)
    keys.push(key)
  }
  const current = keys.find((key) => key.id === stored.current)
  if (!current) throw broken(`the current key '${stored.current}' is not among its keys`)
  return { ring: makeKeyring(current, keys), stored }
}

function fileSignature(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`
}

/**
 * Writes `file` so readers only ever see the old or the new content: a private temporary file, fsync, then a rename
 * (replace) or a hard link (create only; fails with EEXIST when another process created it first).
 */
function writeAtomically(file: string, content: string, mode: 'replace' | 'create'): void {
  const staging = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const fd = openSync(staging, 'wx', 0o600)
  try {
    writeFileSync(fd, content)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    if (mode === 'replace') renameSync(staging, file)
    else linkSync(staging, file)
  } finally {
    if (mode === 'create' || existsSync(staging)) rmQuietly(staging)
  }
  syncDirectory(path.dirname(file))
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null
    throw error
  }
}

function rmQuietly(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // already gone
  }
}

/** So a rename survives a crash of the machine, not only of the process. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // some file systems do not allow opening a directory; the rename is still atomic
  }
}

function serialise(stored: KeyringFile): string {
  return `${JSON.stringify(stored, null, 2)}\n`
}

function fileEntry(key: Key, createdAt = new Date().toISOString()): KeyringFileKey {
  return { id: key.id, key: key.material.toString('hex'), createdAt }
}

/**
 * Creates keyring.json when it does not exist: from the key an earlier version generated into master.key (which is
 * then removed, so retired material does not linger in a second file), or from a new key. Safe when several
 * processes start at once: the first to link its file wins, the others read it.
 */
function ensureKeyringFile(dataDir: string): string {
  const file = keyringFilePath(dataDir)
  if (existsSync(file)) return file
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const legacy = path.join(path.dirname(file), LEGACY_KEY_FILE_NAME)
  const legacyText = readIfExists(legacy)
  // Gone between the two looks: another process migrated it, and its keyring is in place.
  if (legacyText === null && existsSync(file)) return file
  let material = newKeyMaterial()
  if (legacyText !== null) {
    const decoded = decodeKeyText(legacyText)
    if (!decoded) throw new KeyringError(`${legacy} does not hold a 32-byte key (64 hex characters or base64); restore it from a backup`)
    material = decoded
  }
  const key = keyFromMaterial(material)
  try {
    writeAtomically(file, serialise({ version: 1, current: key.id, keys: [fileEntry(key)] }), 'create')
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error
  }
  if (existsSync(legacy)) {
    // Only once the keyring holds the legacy key; a keyring another process wrote from it holds it too.
    const ring = parseKeyringFile(file, readFileSync(file, 'utf8')).ring
    if (ring.keys.has(key.id)) rmQuietly(legacy)
  }
  return file
}

/** keyring.json under DATA_DIR/keys, created (or migrated from master.key) if missing, re-read when it changes. */
export class FileKeyringSource implements KeyringSource {
  readonly kind = 'file'
  readonly description: string
  readonly file: string
  private ring: Keyring
  private signature: string

  constructor(dataDir: string) {
    this.file = ensureKeyringFile(dataDir)
    this.description = describeFile(this.file)
    const { ring, signature } = this.load()
    this.ring = ring
    this.signature = signature
  }

  private load(): { ring: Keyring; signature: string } {
    // Stat before reading: if the file is replaced in between, the next read sees a new signature and loads again.
    const signature = fileSignature(statSync(this.file))
    return { ring: parseKeyringFile(this.file, readFileSync(this.file, 'utf8')).ring, signature }
  }

  read(): Keyring {
    let signature: string
    try {
      signature = fileSignature(statSync(this.file))
    } catch {
      return this.ring // removed or unreadable for a moment: keep sealing and opening with what we have
    }
    if (signature === this.signature) return this.ring
    try {
      const loaded = this.load()
      this.ring = loaded.ring
      this.signature = loaded.signature
    } catch {
      // A broken edit must not take a running process down; `npm run keys -- status` and a restart report it.
    }
    return this.ring
  }
}

/** ENCRYPTION_KEY (current) and ENCRYPTION_KEYS_PREVIOUS (opening only), as validated by core/config.ts. */
export class EnvKeyringSource implements KeyringSource {
  readonly kind = 'env'
  readonly description = 'ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS'
  private readonly ring: Keyring

  constructor(current: string, previous: readonly string[]) {
    const decode = (text: string, name: string) => {
      const material = decodeKeyText(text)
      if (!material) throw new KeyringError(`${name} is not a 32-byte key as 64 hex characters or base64`)
      return keyFromMaterial(material)
    }
    this.ring = makeKeyring(
      decode(current, 'ENCRYPTION_KEY'),
      previous.map((text, index) => decode(text, `ENCRYPTION_KEYS_PREVIOUS entry ${index + 1}`)),
    )
  }

  read(): Keyring {
    return this.ring
  }
}

/** A keyring that never changes (tools and tests that seal with a known key). */
export function fixedKeyringSource(ring: Keyring): KeyringSource {
  return { kind: 'fixed', description: 'a fixed keyring', read: () => ring }
}

export function keyringSourceFor(options: { encryptionKey: string | undefined; encryptionKeysPrevious: readonly string[]; dataDir: string }): KeyringSource {
  if (options.encryptionKey) return new EnvKeyringSource(options.encryptionKey, options.encryptionKeysPrevious)
  return new FileKeyringSource(options.dataDir)
}

// Changes to the keyring file, made by `npm run keys` only. A lock file serialises two commands run at once; the
// running api and worker processes never write the file.

function withKeyringLock<T>(file: string, change: () => T): T {
  const lock = `${file}.lock`
  let fd: number
  try {
    fd = openSync(lock, 'wx', 0o600)
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') {
      throw new KeyringError(`${lock} exists: another 'npm run keys' is changing the keyring; if none is running, remove the lock file and try again`)
    }
    throw error
  }
  try {
    return change()
  } finally {
    closeSync(fd)
    rmQuietly(lock)
  }
}

function readStored(file: string): KeyringFile {
  return parseKeyringFile(file, readFileSync(file, 'utf8')).stored
}

/** Adds a new key and makes it current; the previous keys stay for opening. Returns the new key's id. */
export function rotateKeyringFile(dataDir: string): { newKeyId: string; previousKeyId: string } {
  const file = ensureKeyringFile(dataDir)
  return withKeyringLock(file, () => {
    const stored = readStored(file)
    const key = keyFromMaterial(newKeyMaterial())
    writeAtomically(file, serialise({ version: 1, current: key.id, keys: [...stored.keys, fileEntry(key)] }), 'replace')
    return { newKeyId: key.id, previousKeyId: stored.current }
  })
}

/** Removes an old key from the file. The caller has checked that nothing is sealed with it any more. */
export function removeKeyFromKeyringFile(dataDir: string, keyId: string): void {
  const file = ensureKeyringFile(dataDir)
  withKeyringLock(file, () => {
    const stored = readStored(file)
    if (stored.current === keyId) throw new KeyringError(`key ${keyId} is the current key; rotate first, re-encrypt, then retire it`)
    if (!stored.keys.some((entry) => entry.id === keyId)) throw new KeyringError(`key ${keyId} is not in ${file}`)
    writeAtomically(file, serialise({ ...stored, keys: stored.keys.filter((entry) => entry.id !== keyId) }), 'replace')
  })
}
