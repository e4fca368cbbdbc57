// Reading helm's JSON: `helm status -o json` / `helm upgrade -o json` (one release) and `helm list -o json`.
// The release description carries what arcext needs to tell "in sync" from "needs upgrade" (extension type and
// values digest), because helm's own record of the values holds the secrets in plain text and is never read here.
import type { ObservedRelease } from '../driver.js'

const MARKER = 'arcext'

export function releaseDescription(extensionType: string, valuesDigest: string): string {
  return `${MARKER} extensionType=${extensionType} valuesDigest=${valuesDigest}`
}

function parseDescription(description: unknown): { extensionType: string; valuesDigest: string } | null {
  if (typeof description !== 'string') return null
  const match = /^arcext extensionType=(\S+) valuesDigest=([A-Za-z0-9._-]+)$/.exec(description.trim())
  return match ? { extensionType: match[1]!, valuesDigest: match[2]! } : null
}

const STATUS: Record<string, ObservedRelease['status'] | 'absent'> = {
  deployed: 'deployed',
  failed: 'failed',
  'pending-install': 'pending',
  'pending-upgrade': 'pending',
  'pending-rollback': 'pending',
  uninstalling: 'pending',
  superseded: 'failed',
  unknown: 'failed',
  uninstalled: 'absent', // kept only as history (--keep-history): nothing is installed
}

export class HelmOutputError extends Error {}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HelmOutputError(`helm printed no ${what} object`)
  return value as Record<string, unknown>
}

/** One release as `helm status -o json` prints it; null when helm only keeps its history. */
export function parseReleaseJson(stdout: string): ObservedRelease | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch {
    throw new HelmOutputError('helm printed something other than the JSON release it was asked for')
  }
  const release = object(parsed, 'release')
  const info = object(release.info, 'release info')
  const metadata = object(object(release.chart, 'chart').metadata, 'chart metadata')
  const status = STATUS[String(info.status)] ?? 'failed'
  if (status === 'absent') return null
  if (typeof release.name !== 'string' || typeof release.namespace !== 'string' || typeof metadata.version !== 'string') {
    throw new HelmOutputError('helm printed a release without name, namespace or chart version')
  }
  const marker = parseDescription(info.description)
  return {
    releaseName: release.name,
    namespace: release.namespace,
    // A release arcext did not install (or one rolled back by --atomic) has no marker: its digest matches nothing,
    // so the next apply upgrades it to the desired state.
    extensionType: marker?.extensionType ?? (typeof metadata.name === 'string' ? metadata.name : ''),
    version: metadata.version,
    status,
    valuesDigest: marker?.valuesDigest ?? '',
  }
}

export interface ListedRelease {
  name: string
  namespace: string
  status: string
}

/** `helm list -o json`: the releases with their namespaces. */
export function parseReleaseList(stdout: string): ListedRelease[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout.trim() === '' ? '[]' : stdout)
  } catch {
    throw new HelmOutputError('helm printed something other than the JSON release list it was asked for')
  }
  if (!Array.isArray(parsed)) throw new HelmOutputError('helm printed no release list')
  return parsed
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .filter((entry) => typeof entry.name === 'string' && typeof entry.namespace === 'string')
    .map((entry) => ({ name: entry.name as string, namespace: entry.namespace as string, status: String(entry.status ?? '') }))
}

/** helm's way of saying the release does not exist. */
export function isReleaseNotFound(stderr: string): boolean {
  return /release: not found|release not loaded|release "[^"]*" not found/i.test(stderr)
}
