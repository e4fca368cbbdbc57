// The error catalogue (core/domain/error-catalogue.ts) is the only place a code is written: the source of api/, core/
// and workers/ is parsed and every code must be named through ErrorCodes, no `code:` may be a written-out string,
// every catalogued code must be used somewhere, and docs/errors.md must be what the catalogue renders.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { ArmError, ArmErrors, OAuthErrors, type OAuthError } from '../../api/arm/errors.js'
import { ERROR_CATALOGUE, ErrorCodes, type ErrorCode } from '../../core/domain/error-catalogue.js'
import { renderErrorDocs } from '../../core/domain/error-docs.js'
import { repoRoot } from '../../core/paths.js'
import { DriverError } from '../../workers/drivers/driver.js'

const CATALOGUE_FILE = path.join('core', 'domain', 'error-catalogue.ts')
const SKIPPED = [CATALOGUE_FILE, path.join('core', 'db', 'generated')]

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name)
    if (SKIPPED.some((skipped) => relative === skipped || relative.startsWith(`${skipped}${path.sep}`))) return []
    if (entry.isDirectory()) return sourceFiles(relative)
    return entry.name.endsWith('.ts') ? [relative] : []
  })
}

interface Finding {
  where: string
  text: string
}

const codes = new Set<string>(Object.keys(ERROR_CATALOGUE))

/** What the source says about codes: written-out catalogued codes, literal `code:` values, and ErrorCodes.X references. */
function scan(files: readonly { file: string; text: string }[]) {
  const writtenOut: Finding[] = []
  const literalCodeProperties: Finding[] = []
  const referenced = new Set<string>()
  for (const { file, text } of files) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    const where = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`
    const literalsOf = (node: ts.Expression): (ts.StringLiteralLike | ts.TemplateExpression)[] => {
      if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) return [node]
      if (ts.isParenthesizedExpression(node)) return literalsOf(node.expression)
      if (ts.isConditionalExpression(node)) return [...literalsOf(node.whenTrue), ...literalsOf(node.whenFalse)]
      return []
    }
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteralLike(node) && codes.has(node.text)) writtenOut.push({ where: where(node), text: node.text })
      if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'code') {
        for (const literal of literalsOf(node.initializer)) literalCodeProperties.push({ where: where(literal), text: ts.isTemplateExpression(literal) ? literal.getText(source) : literal.text })
      }
      if (ts.isPropertyAccessExpression(node) && node.expression.getText(source) === 'ErrorCodes') referenced.add(node.name.text)
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return { writtenOut, literalCodeProperties, referenced }
}

const files = ['api', 'core', 'workers'].flatMap(sourceFiles)
const found = scan(files.map((file) => ({ file, text: readFileSync(path.join(repoRoot, file), 'utf8') })))

describe('the error catalogue', () => {
  it('scans the whole of api/, core/ and workers/', () => {
    expect(files.length).toBeGreaterThan(150)
    expect(files).toContain(path.join('api', 'arm', 'errors.ts'))
    expect(files).toContain(path.join('workers', 'drivers', 'helm', 'helm-errors.ts'))
  })

  it('finds what it looks for', () => {
    const planted = scan([
      {
        file: 'planted.ts',
        text: [
          "throw new ArmError('ResourceNotFound', message)",
          "const status = { code: 'SomethingNew', message }",
          "const other = { code: failed ? 'Broken' : ErrorCodes.OperationFailed }",
          'const made = { code: `Helm${action}Failed` }',
          'const detail = { code: ErrorCodes.Conflict }',
        ].join('\n'),
      },
    ])
    expect(planted.writtenOut).toEqual([{ where: 'planted.ts:1', text: 'ResourceNotFound' }])
    expect(planted.literalCodeProperties).toEqual([
      { where: 'planted.ts:2', text: 'SomethingNew' },
      { where: 'planted.ts:3', text: 'Broken' },
      { where: 'planted.ts:4', text: '`Helm${action}Failed`' },
    ])
    expect([...planted.referenced]).toEqual(['OperationFailed', 'Conflict'])
  })

  it('is the only place a code is written out: everywhere else names it through ErrorCodes', () => {
    expect(found.writtenOut).toEqual([])
  })

  it('leaves no `code:` to a written-out string, so an uncatalogued code cannot slip in where the types allow any string', () => {
    expect(found.literalCodeProperties).toEqual([])
  })

  it('holds no code that nothing uses', () => {
    expect([...codes].filter((code) => !found.referenced.has(code))).toEqual([])
    expect([...found.referenced].filter((code) => !codes.has(code))).toEqual([])
  })

  it('gives every synchronous code an HTTP error status and no status to asynchronous ones', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE) as [ErrorCode, (typeof ERROR_CATALOGUE)[ErrorCode]][]) {
      const synchronous = entry.kind === 'request' || entry.kind === 'rule' || entry.kind === 'token'
      if (synchronous) expect(entry.status, code).toBeGreaterThanOrEqual(400)
      else expect(entry.status, code).toBeNull()
      expect(entry.description.trim().length, code).toBeGreaterThan(10)
    }
    expect(ErrorCodes.ResourceNotFound).toBe('ResourceNotFound')
  })

  it('answers each ArmErrors and OAuthErrors factory with its code and the catalogue status', () => {
    const made = [...Object.values(ArmErrors), ...Object.values(OAuthErrors)].map((factory) => (factory as (...args: unknown[]) => ArmError | OAuthError)('x', 'y', ['z'], 1))
    expect(made.length).toBe(Object.keys(ArmErrors).length + Object.keys(OAuthErrors).length)
    for (const error of made) {
      expect(codes.has(error.code), error.code).toBe(true)
      expect(error.statusCode, error.code).toBe(ERROR_CATALOGUE[error.code].status)
    }
  })

  it('admits only catalogued codes to the error constructors (checked by tsc)', () => {
    // @ts-expect-error a code the catalogue does not hold (and has no status for)
    expect(() => new ArmError('NoSuchCode', 'message')).toThrow(TypeError)
    // @ts-expect-error an operation code is not an answer's
    expect(new ArmError('HelmInstallFailed', 'message').statusCode).toBeNull()
    // @ts-expect-error an answer's code is not an operation's
    expect(new DriverError('permanent', 'ResourceNotFound', 'message').code).toBe('ResourceNotFound')
    expect(new DriverError('permanent', ErrorCodes.EncryptionKeyUnavailable, 'message').code).toBe('EncryptionKeyUnavailable')
  })

  it('is what docs/errors.md shows (run `npm run error-docs` after changing it)', () => {
    expect(readFileSync(path.join(repoRoot, 'docs', 'errors.md'), 'utf8')).toBe(renderErrorDocs())
  })
})
