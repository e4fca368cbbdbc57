// Rotation re-encrypts only the columns core/store/sealed-values.ts lists; a sealed column missing there would stay
// on an old key and become unreadable when that key is retired. The schema marks sealed columns by name (`…Sealed`).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { SEALED_COLUMNS } from '../../core/store/sealed-values.js'

describe('sealed columns', () => {
  it('lists every column of prisma/schema.prisma that holds sealed values', () => {
    const schema = readFileSync(path.join(repoRoot, 'prisma', 'schema.prisma'), 'utf8')
    const inSchema: string[] = []
    for (const model of schema.matchAll(/^model \w+ \{([\s\S]*?)^\}/gm)) {
      const table = /@@map\("([^"]+)"\)/.exec(model[1]!)?.[1]
      for (const field of model[1]!.matchAll(/^\s+\w+Sealed\s+\S+.*@map\("([^"]+)"\)/gm)) inSchema.push(`${table}.${field[1]}`)
    }
    expect(inSchema.length).toBeGreaterThan(0)
    expect(SEALED_COLUMNS.map((column) => `${column.table}.${column.column}`).sort()).toEqual(inSchema.sort())
  })
})
