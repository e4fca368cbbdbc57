// Loads the extension-type catalog. The data lives in JSON so operators can add a type or a version
// without a code change; CATALOG_FILE points at an operator-supplied copy.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from '../paths.js'
import type { Catalog } from './lookup.js'
import { CatalogValidationError, validateCatalog } from './schema.js'

export type { Catalog } from './lookup.js'

export const CATALOG_FILE_ENV = 'CATALOG_FILE'

/** The shipped catalog. tsc does not copy JSON into dist/, so a compiled build finds it from the repository root. */
export function shippedCatalogFile(): string {
  const besideThisModule = fileURLToPath(new URL('./extension-types.json', import.meta.url))
  return existsSync(besideThisModule) ? besideThisModule : path.join(repoRoot, 'core', 'catalog', 'extension-types.json')
}

/** The file loadCatalog() reads when given none: CATALOG_FILE if set, else the shipped catalog. */
export function catalogFile(env: Record<string, string | undefined> = process.env): string {
  const configured = env[CATALOG_FILE_ENV]?.trim()
  return configured ? path.resolve(configured) : shippedCatalogFile()
}

/** Reads and validates a catalog file; errors name the file and, for invalid data, every problem in it. */
export function loadCatalog(file: string = catalogFile()): Catalog {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new Error(`Cannot read extension-type catalog ${file}: ${(err as Error).message}`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new Error(`Extension-type catalog ${file} is not valid JSON: ${(err as Error).message}`)
  }
  try {
    return validateCatalog(raw)
  } catch (err) {
    if (err instanceof CatalogValidationError) throw new CatalogValidationError(err.problems.map((p) => `${file}: ${p}`))
    throw err
  }
}

let cached: Catalog | undefined

/** The process-wide catalog, loaded once on first use (so a bad CATALOG_FILE fails at the first request or at preflight). */
export function defaultCatalog(): Catalog {
  cached ??= loadCatalog()
  return cached
}

/** Forgets the cached catalog so the next defaultCatalog() re-reads the file (tests, or an operator reload hook). */
export function resetDefaultCatalog(): void {
  cached = undefined
}
