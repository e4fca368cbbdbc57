// Issue 18 item 5: an upgrade that skips a required stop is refused with the whole path spelled out (every stop, in
// order); the auto-upgrade sweep walks the same path one step per run (test/drift/rollback.test.ts runs it).
import { describe, expect, it } from 'vitest'
import { checkInstallable, newestAutoUpgradeTarget, upgradePath, validateCatalog } from '../../core/catalog/index.js'
import { installRequest, minimalCatalogJson, typeJson } from '../catalog/fixtures.js'

const version = (v: string, extra: Record<string, unknown> = {}) => ({ version: v, releasedOn: null, notes: [], ...extra })
const stable = (...versions: ReturnType<typeof version>[]) => [{ name: 'Stable', versions }]
const catalogWith = (...types: Record<string, unknown>[]) => ({ ...minimalCatalogJson(), types })

// 1.24.0 needs 1.23.0 first, which needs 1.21.0 first: from 1.20.1 the path has two stops.
const catalog = validateCatalog(
  catalogWith(
    typeJson('contoso.stepped', {
      releaseTrains: stable(version('1.24.0', { upgradeFrom: '1.23.0' }), version('1.23.0', { upgradeFrom: '1.21.0' }), version('1.22.0'), version('1.21.0'), version('1.20.1')),
    }),
  ),
)
const spec = catalog.findType('contoso.stepped')!
const update = (installedVersion: string, target: string) => checkInstallable(installRequest('contoso.stepped', { autoUpgradeMinorVersion: false, version: target, installedVersion }), catalog)

describe('upgrade paths', () => {
  it('spells every stop of a refused upgrade, in order', () => {
    expect(upgradePath(spec, 'Stable', '1.20.1', '1.24.0')).toEqual(['1.22.0', '1.23.0', '1.24.0'])
    const [violation, ...rest] = update('1.20.1', '1.24.0')
    expect(rest).toEqual([])
    expect(violation).toMatchObject({ rule: 'UpgradePathNotSupported', target: 'properties.version', status: 400 })
    expect(violation!.message).toBe(
      "Version '1.24.0' of extension type 'contoso.stepped' can only be installed over version 1.23.0 or later, but the extension runs 1.20.1. Update to version '1.22.0' first, then to '1.23.0', then to '1.24.0'.",
    )
    expect(update('1.22.0', '1.24.0')[0]!.message).toContain("Update to version '1.23.0' first, then to '1.24.0'.")
    expect(update('1.23.0', '1.24.0')).toEqual([])
  })

  it('is the path auto-upgrade walks, one stop per sweep', () => {
    const walked: string[] = []
    for (let at = '1.20.1', next = newestAutoUpgradeTarget(spec, 'Stable', at); next; at = next, next = newestAutoUpgradeTarget(spec, 'Stable', at)) walked.push(next)
    expect(walked).toEqual(upgradePath(spec, 'Stable', '1.20.1', '1.24.0'))
  })
})
