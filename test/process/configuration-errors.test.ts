// A configuration mistake is one line naming the variable, what is wrong with its value and the fix: never a stack
// trace, and never advice to start a PostgreSQL that is running. Each error here is of a class core/main-process.ts
// prints as its message alone (the entry points' one-line behaviour is in startup.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { loadTlsMaterial } from '../../api/tls.js'
import { CatalogFileError, loadCatalog } from '../../core/catalog/index.js'
import { ConfigError, loadConfig } from '../../core/config.js'
import { ServiceUnavailableError, assertPostgresReachable } from '../../core/preflight.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'arcext-config-errors-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ DATA_DIR: dir, ...env })
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`)
}

const oneLine = (message: string) => expect(message).not.toMatch(/\n/)

describe('configuration errors', () => {
  it.each([
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL=loud is not a log level; set it to one of fatal, error, warn, info, debug, trace, silent'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT=xml is not a log format; set it to one of auto, json, pretty'],
    [{ DATABASE_URL: 'notaurl' }, 'DATABASE_URL is not a URL; set it to one such as postgresql://postgres@127.0.0.1:5432/arcext'],
    [
      { DATABASE_URL: 'mysql://root:hunter2@db/x' },
      'DATABASE_URL=mysql://root:***@db/x is not a postgresql:// or postgres:// URL with a host; set it to one such as postgresql://postgres@127.0.0.1:5432/arcext',
    ],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL=http://cache:6379/ is not a redis:// or rediss:// URL with a host; set it to one such as redis://127.0.0.1:6379'],
  ])('%j', (env, message) => {
    expect(configError(env)).toBe(message)
  })

  it('names an unreadable or non-PEM TLS file without quoting it', async () => {
    const notPem = path.join(dir, 'secret.txt')
    writeFileSync(notPem, 'super-secret-line\n')
    const config = (cert: string, key: string) => loadConfig({ DATA_DIR: dir, TLS_CERT_FILE: cert, TLS_KEY_FILE: key })
    await expect(loadTlsMaterial(config(path.join(dir, 'missing.pem'), notPem))).rejects.toThrow(
      new ConfigError(
        `TLS_CERT_FILE=${path.join(dir, 'missing.pem')} cannot be read (ENOENT); set TLS_CERT_FILE and TLS_KEY_FILE to a PEM certificate and its private key, or leave both empty to use a generated one`,
      ),
    )
    const certFile = inject('tlsCertFile')
    const refused = loadTlsMaterial(config(certFile, notPem))
    await expect(refused).rejects.toBeInstanceOf(ConfigError)
    await expect(refused).rejects.toThrow(`TLS_KEY_FILE=${notPem} does not hold a PEM private key; `)
    await expect(refused).rejects.not.toThrow(/super-secret/)
  })

  it('names an unreadable or malformed catalog in one line', () => {
    const broken = path.join(dir, 'catalog.json')
    writeFileSync(broken, '{\n  "types": [\n')
    for (const file of [path.join(dir, 'absent.json'), broken]) {
      let message = ''
      try {
        loadCatalog(file)
      } catch (error) {
        expect(error).toBeInstanceOf(CatalogFileError)
        message = (error as Error).message
      }
      expect(message).toContain(file)
      oneLine(message)
    }
  })

  it('tells a PostgreSQL that refuses the credentials from one that is not running', async () => {
    const running = new URL(inject('databaseUrl'))
    running.username = 'arcext_no_such_role'
    const refused = assertPostgresReachable(running.toString())
    await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError)
    await expect(refused).rejects.toThrow(/is running but refused the credentials \(.*arcext_no_such_role.*\); fix the user or password in DATABASE_URL/)
    await expect(refused).rejects.not.toThrow(/start PostgreSQL/)
    await expect(assertPostgresReachable('postgresql://postgres@127.0.0.1:1/arcext', 1000)).rejects.toThrow(/^PostgreSQL is not reachable at .*; start PostgreSQL/)
  })
})
