// coexistenceTypes names exactly the installed types the coexistence rules can object to: the store reads only
// extensions of those types when it accepts a write, so a type missing here would let a forbidden pair through.
import { describe, expect, it } from 'vitest'
import { loadCatalog } from '../../core/catalog/catalog.js'
import { checkCoexistence, checkSingleInstance, coexistenceTypes } from '../../core/catalog/rules.js'

const catalog = loadCatalog()

describe('coexistenceTypes', () => {
  it.each(catalog.types.map((spec) => [spec.type, spec] as const))('for %s names every installed type the rules refuse, and only those', (_, spec) => {
    const judged = new Set(coexistenceTypes(spec, catalog))
    for (const other of catalog.types) {
      for (const spelling of [other.type, other.type.toUpperCase(), ` ${other.type} `, ...other.aliases, ...other.aliases.map((alias) => alias.toUpperCase())]) {
        // As checkInstallable hands them to the rules: an alias resolved to its type.
        const installed = [{ name: 'installed-one', extensionType: catalog.findType(spelling)?.type ?? spelling }]
        const refused = checkCoexistence(spec, installed, 'new-one').length > 0 || checkSingleInstance(spec, installed, 'new-one') !== null
        expect(refused, `${spec.type} next to '${spelling}'`).toBe(judged.has(spelling.trim().toLowerCase()))
      }
    }
  })

  it('is empty for a type that allows several instances and conflicts with nothing', () => {
    const free = catalog.types.find((spec) => spec.conflictsWith.length === 0 && (spec.scope !== 'cluster' || spec.allowMultipleInstances))
    expect(free).toBeDefined()
    expect(coexistenceTypes(free!, catalog)).toEqual([])
  })
})
