import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { catalogFile, defaultCatalog, loadCatalog, resetDefaultCatalog, shippedCatalogFile } from '../../core/catalog/catalog.js'
import { checkInstallable } from '../../core/catalog/rules.js'
import { CatalogValidationError } from '../../core/catalog/schema.js'
import { installRequest, typeJson } from './fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'catalog-test-'))
function writeCatalog(name: string, contents: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, contents)
  return file
}
const shipped = () => JSON.parse(readFileSync(shippedCatalogFile(), 'utf8')) as { types: unknown[] }

describe('loadCatalog', () => {
  afterEach(() => {
    delete process.env.CATALOG_FILE
    resetDefaultCatalog()
  })

  it('reads the shipped catalog by default', () => {
    expect(shippedCatalogFile()).toMatch(/core[/\\]catalog[/\\]extension-types\.json$/)
    expect(loadCatalog().types).toHaveLength(shipped().types.length)
  })

  it('uses CATALOG_FILE when set, so operators add a type without a code change', () => {
    const data = shipped()
    data.types.push(typeJson('contoso.widgets', { supportedDistributions: ['kind'] }))
    const file = writeCatalog('operator.json', JSON.stringify(data))
    expect(catalogFile({ CATALOG_FILE: file })).toBe(file)
    expect(catalogFile({ CATALOG_FILE: '' })).toBe(shippedCatalogFile())

    process.env.CATALOG_FILE = file
    const catalog = defaultCatalog()
    expect(catalog.findType('contoso.widgets')).toBeDefined()
    expect(checkInstallable(installRequest('contoso.widgets', { cluster: { ...installRequest('x').cluster, distribution: 'kind' } }), catalog)).toEqual([])
    expect(checkInstallable(installRequest('contoso.widgets'), catalog).map((v) => v.rule)).toEqual(['DistributionNotSupported'])
  })

  it('caches the default catalog until reset', () => {
    expect(defaultCatalog()).toBe(defaultCatalog())
    const first = defaultCatalog()
    resetDefaultCatalog()
    expect(defaultCatalog()).not.toBe(first)
  })

  it('names the file when it cannot be read', () => {
    const missing = path.join(dir, 'missing.json')
    expect(() => loadCatalog(missing)).toThrow(`Cannot read extension-type catalog ${missing}`)
  })

  it('names the file when it is not JSON', () => {
    const file = writeCatalog('broken.json', '{ "types": [')
    expect(() => loadCatalog(file)).toThrow(`Extension-type catalog ${file} is not valid JSON`)
  })

  it('prefixes every validation problem with the file', () => {
    const data = shipped()
    data.types.push(data.types[0])
    const file = writeCatalog('duplicate.json', JSON.stringify(data))
    try {
      loadCatalog(file)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogValidationError)
      expect((err as CatalogValidationError).problems).toEqual([`${file}: types: duplicate extension type "microsoft.azuremonitor.containers"`])
    }
  })
})
