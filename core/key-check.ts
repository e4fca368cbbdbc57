// Startup check of the api and the worker: every key that stored secrets name is in the keyring, and one value per
// key opens with it. Without it a missing key would surface request by request (PATCH) and operation by operation;
// with it the process stops at once with one line saying which keys are missing and what to do.
import type { Db } from './db/client.js'
import { SecretUnavailableError, type SecretBox } from './secrets.js'
import { columnName, sampleSealedPerKey, sealedKeyUsage } from './store/sealed-values.js'

/** Stored secrets that this keyring cannot open; the message is the one line the process prints. */
export class KeyringMismatchError extends Error {}

export async function assertStoredSecretsOpen(db: Db, box: SecretBox): Promise<void> {
  const ring = box.keyring
  const where = box.keySource.description
  const samples = await sampleSealedPerKey(db)
  const missing = [...new Set(samples.filter((sample) => !ring.keys.has(sample.keyId)).map((sample) => sample.keyId))].sort()
  if (missing.length) {
    const usage = (await sealedKeyUsage(db)).filter((entry) => missing.includes(entry.keyId))
    const counts = missing.map((keyId) => {
      const parts = usage.filter((entry) => entry.keyId === keyId).map((entry) => `${entry.count} in ${columnName(entry.column)}`)
      return `${keyId} (${parts.join(', ')})`
    })
    const remedy =
      box.keySource.kind === 'env' ? 'add the missing keys to ENCRYPTION_KEYS_PREVIOUS' : 'restore the keyring file from a backup (or set ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS to the keys)'
    throw new KeyringMismatchError(`stored secrets are sealed with encryption keys that are not in the keyring (${where}): ${counts.join('; ')}; ${remedy} and start again`)
  }
  for (const sample of samples) {
    try {
      box.open(sample.sealed)
    } catch (error) {
      if (!(error instanceof SecretUnavailableError)) throw error
      throw new KeyringMismatchError(
        `a stored secret in ${columnName(sample.column)} (row ${sample.rowId}) does not open with encryption key ${sample.keyId} from ${where}: ${error.message}; restore the key material that sealed it and start again`,
      )
    }
  }
}
