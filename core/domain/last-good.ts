// Last known good: what the last successful install, update, upgrade, rollback or repair left running. Written by the
// statement that finishes the operation (core/store/operations.ts), so recording it costs no statement; its
// protected settings stay sealed in their own column (extensions.last_good_protected_settings_sealed).
import type { ExtensionSpec } from './model.js'

export interface LastGood {
  version: string
  /** The spec the release was applied from (settings included; protected settings are in the sealed column). */
  spec: ExtensionSpec
  /** ISO time the operation that applied it finished. */
  recordedAt: string
}

export function lastGoodOf(row: { lastGood: unknown }): LastGood | null {
  const value = row.lastGood as LastGood | null
  return value && typeof value.version === 'string' ? value : null
}
