// systemData on every resource response (docs/arm-rules.md rule 53): who created and last changed it, and when.
export interface SystemDataColumns {
  createdBy: string
  createdByType: string
  createdAt: Date
  lastModifiedBy: string
  lastModifiedByType: string
  lastModifiedAt: Date
}

export function systemDataToWire(row: SystemDataColumns): Record<string, string> {
  return {
    createdBy: row.createdBy,
    createdByType: row.createdByType,
    createdAt: row.createdAt.toISOString(),
    lastModifiedBy: row.lastModifiedBy,
    lastModifiedByType: row.lastModifiedByType,
    lastModifiedAt: row.lastModifiedAt.toISOString(),
  }
}

/** Longest caller name kept in systemData; longer names (from headers or token claims) are cut. */
export const MAX_IDENTITY_LENGTH = 256

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g
const UNPAIRED_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * A caller name as systemData can store it: Postgres text holds no NUL and no unpaired UTF-16 surrogate, so a name
 * with either (from a header or a token claim) would fail the write. Such characters become U+FFFD, the name is
 * cut to MAX_IDENTITY_LENGTH, and anything that is not a non-empty string is no name at all.
 */
export function storableIdentity(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const cleaned = value.replace(CONTROL_CHARACTERS, '\uFFFD').replace(UNPAIRED_SURROGATES, '\uFFFD').trim()
  if (!cleaned) return undefined
  // Cutting may split a surrogate pair: clean the cut end again.
  return cleaned.length > MAX_IDENTITY_LENGTH ? cleaned.slice(0, MAX_IDENTITY_LENGTH).replace(UNPAIRED_SURROGATES, '\uFFFD') : cleaned
}
