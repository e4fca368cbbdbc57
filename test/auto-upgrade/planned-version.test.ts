// Which version an apply installs (workers/catalog-planner.ts), and the catalog following its file: together they
// decide what an auto-upgrade operation does, so each path is pinned down here without HTTP.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog, reloadingCatalog, shippedCatalogFile, type Catalog } from '../../core/catalog/index.js'
import { SEED_CATALOG_FILE } from '../catalog/seed.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { plannedVersion } from '../../workers/catalog-planner.js'
import { DriverError } from '../../workers/drivers/driver.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let dir: string

function catalogWith(file: string, fluxVersions: string[]): string {
  const raw = JSON.parse(readFileSync(SEED_CATALOG_FILE, 'utf8')) as Json
  const flux = (raw.types as Json[]).find((t) => t.type === 'microsoft.flux')!
  const stable = (flux.releaseTrains as Json[]).find((t) => t.name === 'Stable')!
  for (const version of fluxVersions) stable.versions.push({ version, releasedOn: null, notes: [] })
  const target = path.join(dir, file)
  writeFileSync(`${target}.tmp`, JSON.stringify(raw))
  renameSync(`${target}.tmp`, target)
  return target
}

function spec(overrides: Partial<ExtensionSpec> = {}): ExtensionSpec {
  return {
    extensionType: 'microsoft.flux',
    autoUpgradeMinorVersion: true,
    releaseTrain: 'Stable',
    version: null,
    scope: null,
    configurationSettings: {},
    identity: null,
    plan: null,
    aksAssignedIdentity: null,
    ...overrides,
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'arcext-planner-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('plannedVersion', () => {
  let catalog: Catalog
  beforeAll(() => {
    catalog = loadCatalog(catalogWith('planner.json', ['1.17.0', '2.0.0']))
  })

  it('installs the newest supported version of the train when nothing is installed', () => {
    expect(plannedVersion(catalog, spec(), null)).toBe('2.0.0')
    expect(plannedVersion(catalog, spec({ autoUpgradeMinorVersion: false }), null)).toBe('2.0.0')
  })

  it('installs a pinned version whatever is installed', () => {
    expect(plannedVersion(catalog, spec({ autoUpgradeMinorVersion: false, version: '1.16.2' }), '2.0.0')).toBe('1.16.2')
  })

  it('moves an auto-upgrading extension to the newest of its major, never across', () => {
    expect(plannedVersion(catalog, spec(), '1.15.1')).toBe('1.17.0')
    expect(plannedVersion(catalog, spec(), '1.17.0')).toBe('1.17.0')
    expect(plannedVersion(catalog, spec(), '2.0.0')).toBe('2.0.0')
  })

  it('keeps the installed version of an unpinned extension that does not auto-upgrade', () => {
    expect(plannedVersion(catalog, spec({ autoUpgradeMinorVersion: false }), '1.15.1')).toBe('1.15.1')
  })

  it('starts afresh on a train the installed version is not on', () => {
    // Container insights in the shipped catalog: its Stable versions (3.1.x) are not on its Preview train.
    const shipped = loadCatalog(shippedCatalogFile())
    const monitor = spec({ extensionType: 'microsoft.azuremonitor.containers', releaseTrain: 'Preview' })
    const previewNewest = plannedVersion(shipped, monitor, null)
    expect(plannedVersion(shipped, monitor, '3.1.26')).toBe(previewNewest)
  })

  it('fails permanently for a type or train the catalog no longer has', () => {
    const gone = () => plannedVersion(catalog, spec({ extensionType: 'microsoft.gone' }), null)
    expect(gone).toThrow(DriverError)
    expect(gone).toThrow(/no longer in the extension-type catalog/)
    try {
      plannedVersion(catalog, spec({ releaseTrain: 'nightly' }), null)
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ kind: 'permanent', code: 'NoInstallableVersion' })
    }
  })
})

describe('reloadingCatalog', () => {
  // The file is looked at once per turn of the event loop, so each edit is followed by a turn before it is expected.
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

  it('follows edits of its file and keeps the last good catalog through a broken one', async () => {
    const file = catalogWith('followed.json', [])
    const problems: string[] = []
    const current = reloadingCatalog({ file: () => file, onReloadError: (error) => problems.push(error.message) })
    const first = current()
    expect(current()).toBe(first)
    expect(first.findType('microsoft.flux')!.releaseTrains[0]!.versions.map((v) => v.version)).not.toContain('1.17.0')

    catalogWith('followed.json', ['1.17.0'])
    // Within the turn that already looked, the catalog it found stands.
    expect(current()).toBe(first)
    await nextTurn()
    const second = current()
    expect(second).not.toBe(first)
    expect(second.findType('microsoft.flux')!.releaseTrains[0]!.versions.map((v) => v.version)).toContain('1.17.0')

    writeFileSync(file, '{"types": "broken"')
    await nextTurn()
    expect(current()).toBe(second)
    await nextTurn()
    expect(current()).toBe(second)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/not valid JSON/)

    rmSync(file)
    await nextTurn()
    expect(current()).toBe(second)
  })

  it('reports a file that never was valid', () => {
    const file = path.join(dir, 'never.json')
    writeFileSync(file, '[]')
    expect(() => reloadingCatalog({ file: () => file })()).toThrow(/never\.json/)
    expect(() => reloadingCatalog({ file: () => path.join(dir, 'missing.json') })()).toThrow(/Cannot read extension-type catalog/)
  })
})
