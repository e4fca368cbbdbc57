// When `npm start` starts private servers (scripts/private-services.mjs), and what it says when it cannot: a server
// that is running is never replaced (so wrong credentials keep preflight's own message), and with neither a server
// nor its programs the one line names the packages to install and docker compose.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { freePort } from '../../scripts/free-port.js'

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-private-choice-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/** Runs startPrivateServices in a child process as run.mjs does: its outcome, or its one-line refusal. */
async function choose(env: Record<string, string>, directories?: string[]): Promise<string> {
  const script = [
    "const { startPrivateServices } = await import('./scripts/private-services.mjs')",
    `const options = ${JSON.stringify(directories === undefined ? {} : { directories })}`,
    'try { const started = await startPrivateServices(process.env, process.cwd(), options); console.log(`started ${started.length}`) }',
    'catch (error) { console.log(`${error.constructor.name}: ${error.message}`) }',
  ].join('\n')
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir, REDIS_CLUSTER_NODES: '', ...env } })
  return stdout.trim()
}

describe('private servers for npm start', () => {
  it('leaves running servers alone, even when they would refuse the configured role', async () => {
    const wrongRole = new URL(inject('databaseUrl'))
    wrongRole.username = 'no_such_role'
    expect(await choose({ DATABASE_URL: wrongRole.toString(), REDIS_URL: inject('redisUrl') })).toBe('started 0')
  })

  it('leaves remote addresses to the preflight checks', async () => {
    expect(await choose({ DATABASE_URL: 'postgresql://postgres@db.invalid:5432/arcext', REDIS_URL: 'redis://cache.invalid:6379' }, [])).toBe('started 0')
  })

  it('says in one line what to install when neither server is installed', async () => {
    const [pg, redis] = [await freePort(), await freePort()]
    expect(await choose({ DATABASE_URL: `postgresql://postgres:secret@127.0.0.1:${pg}/arcext`, REDIS_URL: `redis://127.0.0.1:${redis}` }, [])).toBe(
      `PrivateServiceError: nothing listens at postgresql://postgres:***@127.0.0.1:${pg}/arcext or redis://127.0.0.1:${redis} and neither PostgreSQL nor Redis is installed here; ` +
        'install them (Debian: apt-get install postgresql redis-server; Homebrew: brew install postgresql@17 redis) and npm start runs private ones under DATA_DIR, ' +
        'or run `docker compose up -d postgres redis`, or set DATABASE_URL and REDIS_URL',
    )
  })

  it('names only the missing one when the other is running', async () => {
    const redis = await freePort()
    expect(await choose({ DATABASE_URL: inject('databaseUrl'), REDIS_URL: `redis://127.0.0.1:${redis}` }, [])).toBe(
      `PrivateServiceError: nothing listens at redis://127.0.0.1:${redis} and Redis is not installed here; install it (Debian: apt-get install redis-server; Homebrew: brew install redis) ` +
        'and npm start runs a private one under DATA_DIR, or run `docker compose up -d postgres redis`, or set REDIS_URL',
    )
  })
})
