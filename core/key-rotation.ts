// What `npm run keys -- status | rotate | reencrypt | retire <keyId>` does (scripts/keys.ts prints it).
//
// Rotation while the service runs: a new key becomes current (in the keyring file, which running processes re-read
// on their next use, or in the environment the operator rolls out), then every stored sealed value is opened and
// sealed again with the current key, row by row, with a conditional update so a concurrent write always wins. A
// process that had not noticed the rotation yet may still seal a value with the old key; that is harmless while the
// old key stays in the keyring, and re-encryption repeats its passes until nothing is sealed with an old key.
// Only then may the old key be retired.
import type { Db } from './db/client.js'
import { removeKeyFromKeyringFile, rotateKeyringFile, keyFromMaterial, newKeyMaterial, KeyringError } from './keyring.js'
import { SecretUnavailableError, type SecretBox } from './secrets.js'
import { SEALED_COLUMNS, columnName, replaceSealedIfUnchanged, sealedKeyUsage, sealedNotWith, type SealedColumn } from './store/sealed-values.js'

export interface KeyStatus {
  keyId: string
  role: 'current' | 'previous' | 'missing'
  /** Values sealed with this key, per column ("extensions.protected_settings_sealed"). */
  sealed: Record<string, number>
  total: number
  /** A previous key nothing is sealed with any more. */
  retirable: boolean
}

export async function keyStatus(db: Db, box: SecretBox): Promise<KeyStatus[]> {
  const ring = box.keyring
  const byKey = new Map<string, KeyStatus>()
  const entry = (keyId: string): KeyStatus => {
    let status = byKey.get(keyId)
    if (!status) {
      status = { keyId, role: keyId === ring.current.id ? 'current' : ring.keys.has(keyId) ? 'previous' : 'missing', sealed: {}, total: 0, retirable: false }
      byKey.set(keyId, status)
    }
    return status
  }
  entry(ring.current.id)
  for (const keyId of ring.keys.keys()) entry(keyId)
  for (const usage of await sealedKeyUsage(db)) {
    const status = entry(usage.keyId)
    status.sealed[columnName(usage.column)] = usage.count
    status.total += usage.count
  }
  for (const status of byKey.values()) status.retirable = status.role === 'previous' && status.total === 0
  const order = { current: 0, previous: 1, missing: 2 }
  return [...byKey.values()].sort((a, b) => order[a.role] - order[b.role] || a.keyId.localeCompare(b.keyId))
}

export interface UnreadableValue {
  column: string
  rowId: string
  keyId: string | null
  reason: SecretUnavailableError['reason']
}

export interface ReencryptResult {
  passes: number
  reencrypted: number
  /** Values that cannot be opened with the keyring (their key is missing or they do not authenticate): left as they are. */
  unreadable: UnreadableValue[]
  /** Values still sealed with an old key when the pass limit was reached (0 when done). */
  remaining: number
}

export interface ReencryptOptions {
  /** Rows read and rewritten per query; each row is its own small statement, so no lock is held for long. */
  batchSize: number
  /** Passes before giving up on a table that keeps being rewritten with an old key. */
  maxPasses: number
  /** Pause between passes, so processes that still seal with the old key notice the rotation. */
  passPauseMs: number
  onProgress?: (message: string) => void
}

export const DEFAULT_REENCRYPT_OPTIONS: ReencryptOptions = { batchSize: 200, maxPasses: 50, passPauseMs: 500 }

/** One walk over a column in primary-key order; returns what it rewrote and what it found but could not rewrite. */
async function reencryptColumn(db: Db, box: SecretBox, column: SealedColumn, options: ReencryptOptions, unreadable: Map<string, UnreadableValue>): Promise<{ reencrypted: number; skipped: number }> {
  let reencrypted = 0
  let skipped = 0
  let after: string | null = null
  for (;;) {
    const currentKeyId = box.keyring.current.id
    const batch = await sealedNotWith(db, column, currentKeyId, after, options.batchSize)
    if (batch.length === 0) return { reencrypted, skipped }
    for (const row of batch) {
      after = row.id
      let resealed: string
      try {
        resealed = box.seal(box.open(row.sealed))
      } catch (error) {
        if (!(error instanceof SecretUnavailableError)) throw error
        unreadable.set(`${columnName(column)}:${row.id}`, { column: columnName(column), rowId: row.id, keyId: error.keyId, reason: error.reason })
        continue
      }
      if (await replaceSealedIfUnchanged(db, column, row.id, row.sealed, resealed)) reencrypted += 1
      else skipped += 1 // written meanwhile: the next pass looks at the new value
    }
  }
}

/** Re-seals every stored value with the current key, repeating passes until none is sealed with an old key. */
export async function reencryptAll(db: Db, box: SecretBox, options: ReencryptOptions = DEFAULT_REENCRYPT_OPTIONS): Promise<ReencryptResult> {
  let reencrypted = 0
  let passes = 0
  const unreadable = new Map<string, UnreadableValue>()
  for (;;) {
    passes += 1
    let skipped = 0
    for (const column of SEALED_COLUMNS) {
      const result = await reencryptColumn(db, box, column, options, unreadable)
      reencrypted += result.reencrypted
      skipped += result.skipped
      if (result.reencrypted || result.skipped) {
        options.onProgress?.(`pass ${passes}: ${columnName(column)}: ${result.reencrypted} re-encrypted, ${result.skipped} changed meanwhile`)
      }
    }
    const ring = box.keyring
    // Values whose key is missing are reported as unreadable, not counted as work left.
    const onOldKeys = (await sealedKeyUsage(db)).filter((usage) => usage.keyId !== ring.current.id && ring.keys.has(usage.keyId))
    const corrupt = [...unreadable.values()].filter((value) => value.reason !== 'missing-key').length
    const left = onOldKeys.reduce((sum, usage) => sum + usage.count, 0) - corrupt
    if (left <= 0 || passes >= options.maxPasses) {
      return { passes, reencrypted, unreadable: [...unreadable.values()], remaining: Math.max(0, left) }
    }
    if (skipped === 0 && left > 0) options.onProgress?.(`pass ${passes}: ${left} values were sealed with an old key meanwhile; another pass`)
    await new Promise((resolve) => setTimeout(resolve, options.passPauseMs))
  }
}

export type RotateResult =
  | { kind: 'file'; newKeyId: string; previousKeyId: string; file: string }
  /** The new key is printed once for the operator to roll out; it is stored nowhere. */
  | { kind: 'env'; newKeyId: string; newKeyHex: string; currentKeyId: string }

/** A file keyring gets a new current key in place; for env keys a new key is generated for the operator. */
export function rotate(box: SecretBox, dataDir: string): RotateResult {
  const source = box.keySource
  if (source.kind === 'file') {
    const { newKeyId, previousKeyId } = rotateKeyringFile(dataDir)
    return { kind: 'file', newKeyId, previousKeyId, file: source.description }
  }
  if (source.kind === 'env') {
    const material = newKeyMaterial()
    return { kind: 'env', newKeyId: keyFromMaterial(material).id, newKeyHex: material.toString('hex'), currentKeyId: box.keyring.current.id }
  }
  throw new KeyringError('this keyring cannot be rotated')
}

export class RetireRefused extends Error {}

/**
 * Removes a previous key from a file keyring once nothing is sealed with it. For env keys nothing can be removed
 * here: the caller tells the operator which ENCRYPTION_KEYS_PREVIOUS entry to drop.
 */
export async function retire(db: Db, box: SecretBox, dataDir: string, keyId: string): Promise<{ kind: 'file' | 'env' }> {
  const ring = box.keyring
  if (keyId === ring.current.id) throw new RetireRefused(`key ${keyId} is the current key; rotate first (npm run keys -- rotate), then retire it`)
  if (!ring.keys.has(keyId)) throw new RetireRefused(`key ${keyId} is not in the keyring (${box.keySource.description})`)
  const still = (await sealedKeyUsage(db)).filter((usage) => usage.keyId === keyId)
  const total = still.reduce((sum, usage) => sum + usage.count, 0)
  if (total > 0) {
    const where = still.map((usage) => `${columnName(usage.column)}: ${usage.count}`).join(', ')
    throw new RetireRefused(`key ${keyId} still seals ${total} value(s) (${where}); run npm run keys -- reencrypt first`)
  }
  if (box.keySource.kind === 'file') {
    removeKeyFromKeyringFile(dataDir, keyId)
    return { kind: 'file' }
  }
  return { kind: 'env' }
}
