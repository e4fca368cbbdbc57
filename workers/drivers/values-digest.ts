// The digest a release records of its inputs (helm release description, simulated release row), so a reconcile
// can tell "in sync" from "needs upgrade" without reading the values back. It covers protected values, so it is
// keyed (SecretBox.mac, an HMAC under a key from the keyring): a bare hash would let anyone who reads a release
// description confirm a guessed secret offline. A digest made under a key that has left the keyring no longer
// matches, which only makes the next apply run the upgrade once more.
import type { SecretBox } from '../../core/secrets.js'
import type { ReleaseSpec } from './driver.js'

type DigestInput = Pick<ReleaseSpec, 'version' | 'values' | 'protectedValues'>

/** Keys are sorted so that map order never looks like a change. */
function canonical(release: DigestInput): string {
  const sorted = (map: Record<string, string>) =>
    Object.keys(map)
      .sort()
      .map((key) => [key, map[key]])
  return JSON.stringify([release.version, sorted(release.values), sorted(release.protectedValues)])
}

export function valuesDigest(secrets: Pick<SecretBox, 'mac'>, release: DigestInput): string {
  return secrets.mac(canonical(release))
}

export function valuesDigestMatches(secrets: Pick<SecretBox, 'macMatches'>, release: DigestInput, digest: string): boolean {
  return secrets.macMatches(canonical(release), digest)
}
