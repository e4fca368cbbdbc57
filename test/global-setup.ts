// One database and one queue-prefix namespace per test run, so runs never interfere and leave nothing behind.
// Uses DATABASE_URL / REDIS_URL when set, else the local services; testcontainers only where a Docker engine runs.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import pg from 'pg'
import { loadTlsMaterial } from '../api/tls.js'
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, loadConfig } from '../core/config.js'
import { migrate } from '../core/db/migrate.js'
import { assertPostgresReachable, assertRedisReachable } from '../core/preflight.js'
import { startContainersIfPossible, type Containers } from './helpers/containers.js'
import { deleteKeysWithPrefix, dropDatabase } from './helpers/isolation.js'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    redisUrl: string
    queuePrefixBase: string
    /** ENCRYPTION_KEY every api and worker of the run uses, since they share one database (the startup check). */
    encryptionKey: string
    /**
     * One TLS key and certificate for every api of the run (TLS_CERT_FILE/TLS_KEY_FILE in testConfig): generating a
     * 2048-bit key takes about half a second, per api. Suites that test the generation itself opt out.
     */
    tlsCertFile: string
    tlsKeyFile: string
  }
}

let containers: Containers | null = null

async function reachable(check: () => Promise<void>): Promise<boolean> {
  try {
    await check()
    return true
  } catch {
    return false
  }
}

/** Databases of runs that were killed before their teardown (names carry the run's start time) are dropped later. */
const ABANDONED_AFTER_MS = 6 * 3600 * 1000

async function dropAbandonedTestDatabases(baseDatabaseUrl: string): Promise<void> {
  const maintenance = new URL(baseDatabaseUrl)
  maintenance.pathname = '/postgres'
  const client = new pg.Client({ connectionString: maintenance.toString() })
  await client.connect()
  try {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'arcext\\_test\\_%'")
    for (const { datname } of rows) {
      const started = parseInt(datname.slice('arcext_test_'.length).split('_')[0] ?? '', 36)
      if (Number.isFinite(started) && Date.now() - started > ABANDONED_AFTER_MS) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined)
      }
    }
  } finally {
    await client.end()
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let baseDatabaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL
  let redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL
  const haveLocal = (await reachable(() => assertPostgresReachable(baseDatabaseUrl))) && (await reachable(() => assertRedisReachable(redisUrl)))
  if (!haveLocal) {
    containers = await startContainersIfPossible()
    if (!containers) {
      // Re-run the checks to surface the one-line explanation of what is missing.
      await assertPostgresReachable(baseDatabaseUrl)
      await assertRedisReachable(redisUrl)
    } else {
      baseDatabaseUrl = containers.databaseUrl
      redisUrl = containers.redisUrl
    }
  }
  await dropAbandonedTestDatabases(baseDatabaseUrl)
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const databaseUrl = new URL(baseDatabaseUrl)
  databaseUrl.pathname = `/arcext_test_${runId}`
  await migrate(databaseUrl.toString())
  const queuePrefixBase = `arcext-test-${runId}`
  project.provide('databaseUrl', databaseUrl.toString())
  project.provide('redisUrl', redisUrl)
  project.provide('queuePrefixBase', queuePrefixBase)
  project.provide('encryptionKey', randomBytes(32).toString('hex'))
  // The product's own generator, so the shared certificate is the one every api would make for itself.
  const tlsDataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-test-tls-'))
  const tls = await loadTlsMaterial(loadConfig({ DATA_DIR: tlsDataDir }))
  const tlsKeyFile = path.join(tlsDataDir, 'shared-key.pem')
  writeFileSync(tlsKeyFile, tls.key, { mode: 0o600 })
  project.provide('tlsCertFile', tls.certFile)
  project.provide('tlsKeyFile', tlsKeyFile)

  return async () => {
    await dropDatabase(databaseUrl.toString())
    await deleteKeysWithPrefix(redisUrl, queuePrefixBase)
    await containers?.stop()
    rmSync(tlsDataDir, { recursive: true, force: true })
  }
}
