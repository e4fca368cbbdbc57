// Strict SemVer 2.0.0 (https://semver.org). Strict on purpose: Flux's source-controller moved to
// Masterminds semver v3.3.1, which rejects what looser parsers accept (leading zeros such as
// `1.0.029903`, a `v` prefix, missing minor/patch). Accepting such versions here would let a request
// through that the cluster then fails to reconcile.

export interface SemVer {
  /** Numeric parts kept as decimal strings so comparisons never lose precision on huge numbers. */
  readonly major: string
  readonly minor: string
  readonly patch: string
  readonly prerelease: readonly string[]
  readonly build: readonly string[]
  readonly raw: string
}

const NUMERIC = '0|[1-9]\\d*'
const PRERELEASE_ID = `(?:${NUMERIC}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`
const BUILD_ID = '[0-9a-zA-Z-]+'
// The regular expression recommended by semver.org, anchored; it matches in linear time.
const STRICT_SEMVER = new RegExp(`^(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})` + `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` + `(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`)
const ALL_DIGITS = /^\d+$/
// Far beyond any real version; bounds the work an attacker-supplied string can cause.
const MAX_LENGTH = 256

/** Parses a strict SemVer 2.0.0 string, or returns null when it is not one. */
export function parseSemver(text: string): SemVer | null {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return null
  const match = STRICT_SEMVER.exec(text)
  if (!match) return null
  const [, major = '', minor = '', patch = '', prerelease, build] = match
  return {
    major,
    minor,
    patch,
    prerelease: prerelease === undefined ? [] : prerelease.split('.'),
    build: build === undefined ? [] : build.split('.'),
    raw: text,
  }
}

export function isStrictSemver(text: string): boolean {
  return parseSemver(text) !== null
}

/** Like parseSemver, for values that have already been validated (the catalog's own data). */
export function requireSemver(text: string): SemVer {
  const parsed = parseSemver(text)
  if (!parsed) throw new Error(`"${text}" is not a strict SemVer 2.0.0 version (MAJOR.MINOR.PATCH, no leading zeros, no "v")`)
  return parsed
}

type VersionLike = string | SemVer

function toSemVer(value: VersionLike): SemVer {
  return typeof value === 'string' ? requireSemver(value) : value
}

function compareDigits(a: string, b: string): number {
  // Canonical decimal strings (no leading zeros): longer is larger, equal length compares lexically.
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

function comparePrereleaseIdentifier(a: string, b: string): number {
  const aNumeric = ALL_DIGITS.test(a)
  const bNumeric = ALL_DIGITS.test(b)
  if (aNumeric && bNumeric) return compareDigits(a, b)
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1 // numeric identifiers rank below alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0 // ASCII order, as the spec requires
}

function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  // A release ranks above any of its prereleases.
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1
  const shared = Math.min(a.length, b.length)
  for (let i = 0; i < shared; i++) {
    const order = comparePrereleaseIdentifier(a[i] as string, b[i] as string)
    if (order !== 0) return order
  }
  return Math.sign(a.length - b.length)
}

/** SemVer precedence: -1, 0 or 1. Build metadata is ignored, as the spec requires. Throws on invalid input. */
export function compareSemver(left: VersionLike, right: VersionLike): -1 | 0 | 1 {
  const a = toSemVer(left)
  const b = toSemVer(right)
  const order = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch) || comparePrerelease(a.prerelease, b.prerelease)
  return order < 0 ? -1 : order > 0 ? 1 : 0
}

/** True when `candidate` has higher precedence than `current`. */
export function isNewer(candidate: VersionLike, current: VersionLike): boolean {
  return compareSemver(candidate, current) > 0
}

export function sameMajor(left: VersionLike, right: VersionLike): boolean {
  return toSemVer(left).major === toSemVer(right).major
}

export function sameMinor(left: VersionLike, right: VersionLike): boolean {
  const a = toSemVer(left)
  const b = toSemVer(right)
  return a.major === b.major && a.minor === b.minor
}

/** A copy of `versions`, highest precedence first. */
export function newestFirst(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => compareSemver(b, a))
}
