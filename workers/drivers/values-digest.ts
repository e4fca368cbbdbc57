import { createHash } from 'node:crypto'
import type { ReleaseSpec } from './driver.js'

/** A stable digest of a release's inputs; keys are sorted so map order never looks like a change. */
export function valuesDigest(release: Pick<ReleaseSpec, 'version' | 'values' | 'protectedValues'>): string {
  const sorted = (map: Record<string, string>) => Object.keys(map).sort().map((key) => [key, map[key]])
  return createHash('sha256')
    .update(JSON.stringify([release.version, sorted(release.values), sorted(release.protectedValues)]))
    .digest('hex')
}
