// What the drift observer counts as drift, release by release (workers/jobs/drift-check.ts driftBetween): values are
// compared by keyed digest, and a digest under a key that has left the keyring is no evidence either way.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loadSecretBox } from '../../core/secrets.js'
import { valuesDigest } from '../../workers/drivers/values-digest.js'
import { driftBetween } from '../../workers/jobs/drift-check.js'

const keyText = () => randomBytes(32).toString('hex')
const oldKey = keyText()
const newKey = keyText()
const before = loadSecretBox({ encryptionKey: oldKey, encryptionKeysPrevious: [], dataDir: '/nonexistent' })
const rotated = loadSecretBox({ encryptionKey: newKey, encryptionKeysPrevious: [oldKey], dataDir: '/nonexistent' })
const retired = loadSecretBox({ encryptionKey: newKey, encryptionKeysPrevious: [], dataDir: '/nonexistent' })

const inputs = { version: '1.15.1', values: { a: '1' }, protectedValues: { token: 's' } }
const desired = (box: typeof before) => ({ releaseName: 'flux', namespace: 'flux-system', extensionType: 'microsoft.flux', ...inputs, valuesDigest: valuesDigest(box, inputs) })
const observed = (digest: string, overrides: Record<string, unknown> = {}) => ({
  releaseName: 'flux',
  namespace: 'flux-system',
  extensionType: 'microsoft.flux',
  version: '1.15.1',
  status: 'deployed' as const,
  valuesDigest: digest,
  ...overrides,
})

describe('driftBetween', () => {
  const applied = valuesDigest(before, inputs)

  it('finds nothing when version, digest and status match, under the current key or a previous one', () => {
    expect(driftBetween(before, desired(before), observed(applied))).toEqual([])
    expect(driftBetween(rotated, desired(rotated), observed(applied))).toEqual([])
  })

  it('names each kind of drift without a value', () => {
    expect(driftBetween(before, desired(before), null)).toEqual([{ kind: 'releaseMissing', expected: 'installed', observed: 'not installed' }])
    expect(driftBetween(before, desired(before), observed('tampered.x'))).toEqual([{ kind: 'valuesChanged', expected: 'as applied', observed: 'changed' }])
    expect(driftBetween(before, desired(before), observed(valuesDigest(before, { ...inputs, protectedValues: { token: 'other' } })))).toEqual([
      { kind: 'valuesChanged', expected: 'as applied', observed: 'changed' },
    ])
    expect(driftBetween(before, desired(before), observed(applied, { version: '1.14.1', status: 'failed' }))).toEqual([
      { kind: 'versionChanged', expected: '1.15.1', observed: '1.14.1' },
      { kind: 'statusChanged', expected: 'deployed', observed: 'failed' },
    ])
  })

  it('does not report values it cannot check: a digest under a retired key', () => {
    expect(driftBetween(retired, desired(retired), observed(applied))).toEqual([])
  })
})
