// Writes docs/errors.md from the error catalogue (core/domain/error-catalogue.ts). Run with `npm run error-docs` after
// changing the catalogue; test/contract/error-catalogue.test.ts fails until you do.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { renderErrorDocs } from '../core/domain/error-docs.js'
import { repoRoot } from '../core/paths.js'

const file = path.join(repoRoot, 'docs', 'errors.md')
writeFileSync(file, renderErrorDocs())
console.error(`wrote ${path.relative(process.cwd(), file)}`)
