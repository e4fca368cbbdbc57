// Loads the extension-type catalog. The data lives in JSON so operators can add a type or a version
// without a code change; CATALOG_FILE points at an operator-supplied copy, followed while processes run.
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from '../paths.js'
import type { Catalog } from './lookup.js'
import { CatalogValidationError, validateCatalog } from './schema.js'

/** The catalog file cannot be read or parsed: said in one line, since an operator fixes it by editing the file. */
export class CatalogFileError extends Error {}

function unreadable(file: string, err: unknown): CatalogFileError {
  return new CatalogFileError(`Cannot read extension-type catalog ${file} (${(err as Error).message}); check CATALOG_FILE, or unset it to use the shipped catalog`)
}
export const CATALOG_FILE_ENV = 'CATALOG_FILE'

let shippedFile: string | undefined

/**
 * The shipped catalog. tsc does not copy JSON into dist/, so a compiled build finds it from the repository root.
 * Where it lies does not change while the process runs, so it is found once: the worker asks per operation.
 */
export function shippedCatalogFile(): string {
  if (shippedFile === undefined) {
    const besideThisModule = fileURLToPath(new URL('./extension-types.json', import.meta.url))
    shippedFile = existsSync(besideThisModule) ? besideThisModule : path.join(repoRoot, 'core', 'catalog', 'extension-types.json')
  }
  return shippedFile
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
    throw unreadable(file, err)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new CatalogFileError(`Extension-type catalog ${file} is not valid JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`)
  }
  try {
    return validateCatalog(raw)
  } catch (err) {
    if (err instanceof CatalogValidationError) throw new CatalogValidationError(err.problems.map((p) => `${file}: ${p}`))
    throw err
  }
}

interface FileStamp {
  file: string
  mtimeMs: number
  ctimeMs: number
  size: number
}

function stampOf(file: string): FileStamp {
  const stat = statSync(file)
  return { file, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, size: stat.size }
}

function sameStamp(a: FileStamp | undefined, b: FileStamp): boolean {
  return a !== undefined && a.file === b.file && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size
}

export interface ReloadingCatalogOptions {
  /** The file to follow, asked on every call so a changed CATALOG_FILE is followed too. Default: catalogFile(). */
  file?: () => string
  /** Called once per broken revision of the file, while the last good catalog stays in use. */
  onReloadError?: (error: Error, file: string) => void
}

/**
 * A catalog that follows its file: re-read when the file changes, so api and workers see an operator's edit (a new
 * version, a new type) without a restart; a stat per turn of the event loop is the whole cost. A broken edit (invalid JSON, failed
 * validation, the file briefly missing while an editor replaces it) keeps the last good catalog, so a typo does not
 * fail requests or work in flight; only when there never was a good one does the error reach the caller.
 * The file is stat'ed at most once per turn of the event loop.
 */
export function reloadingCatalog(options: ReloadingCatalogOptions = {}): () => Catalog {
  const fileOf = options.file ?? (() => catalogFile())
  let good: { stamp: FileStamp; catalog: Catalog } | undefined
  let broken: FileStamp | undefined
  // The file is looked at once per turn of the event loop, not on every call: a PUT asks for the catalog about five
  // times, and the stat was 3% of an accepted PUT's CPU (BENCHMARKS.md). An edit is still seen by everything that
  // starts in a later turn, which includes every request that arrives after the file was written.
  let lookedAt: string | null = null
  const forgetLook = () => (lookedAt = null)
  return () => {
    const file = fileOf()
    if (good && lookedAt === file) return good.catalog
    if (lookedAt === null) setImmediate(forgetLook).unref()
    lookedAt = file
    let stamp: FileStamp
    try {
      stamp = stampOf(file)
    } catch (err) {
      if (good) return good.catalog
      throw unreadable(file, err)
    }
    if (good && (sameStamp(good.stamp, stamp) || sameStamp(broken, stamp))) return good.catalog
    try {
      good = { stamp, catalog: loadCatalog(file) }
      broken = undefined
      return good.catalog
    } catch (err) {
      if (!good) throw err
      broken = stamp
      options.onReloadError?.(err as Error, file)
      return good.catalog
    }
  }
}

let current: (() => Catalog) | undefined

/**
 * The process-wide catalog: loaded on first use (so a bad CATALOG_FILE fails at preflight), then re-read whenever
 * the file changes. The same object is returned while the file is unchanged.
 */
export function defaultCatalog(): Catalog {
  current ??= reloadingCatalog({
    onReloadError: (err, file) => process.emitWarning(`Ignoring the edited extension-type catalog ${file}; still using the previous one. ${err.message}`),
  })
  return current()
}

/** Forgets the loaded catalog so the next defaultCatalog() reads the file again from scratch (tests). */
export function resetDefaultCatalog(): void {
  current = undefined
}
