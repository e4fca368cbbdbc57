// The RP as the worker tests need it: the real api in this process, and workers either in this process (with
// test-sized timings) or as real child processes (`node --import tsx workers/main.ts`) that can be SIGKILLed.
// Everything runs on this test run's database and a queue prefix of its own; "flushing Redis" deletes exactly
// that prefix's keys, which is what FLUSHALL means for one instance sharing a Redis.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'
import { startApi, type RunningApi } from '../../../api/server.js'
import { loadConfig, type Config } from '../../../core/config.js'
import { createDb, type Db } from '../../../core/db/client.js'
import { migrate } from '../../../core/db/migrate.js'
import type { Running } from '../../../core/main-process.js'
import { startWorkerProcess, type WorkerProcessOptions } from '../../../workers/worker-process.js'
import { call, sharedTlsEnv, until, withBothListeners, type ArmResponse } from '../../helpers/harness.js'
import { deleteKeysWithPrefix, dropDatabase, siblingDatabaseUrl } from '../../helpers/isolation.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

/** Timings that keep recovery within a test's patience; production defaults are seconds to minutes. */
export const FAST_WORKER: WorkerProcessOptions = {
  reconcileIntervalMs: 300,
  reconcileGraceMs: 900,
  dispatcher: { pollMs: 100, graceMs: 300 },
  runner: { retry: { maxAttempts: 4, baseDelayMs: 40, maxDelayMs: 200 }, busyRetryMs: 50, watchIntervalMs: 100 },
  shutdownGraceMs: 1000,
}

const FAST_WORKER_ENV: Record<string, string> = {
  RECONCILE_INTERVAL_MS: '300',
  JOB_STALL_MS: '2000',
  AUTO_UPGRADE_INTERVAL_SECONDS: '0',
  DRIFT_CHECK_SECONDS: '0',
}

export interface SpawnedWorker {
  pid: number
  /** Resolves with the exit signal or code. */
  exited: Promise<string>
  kill(signal: NodeJS.Signals): void
}

export interface Rp {
  env: Record<string, string>
  config: Config
  api: RunningApi
  baseUrl: string
  /** For assertions on what Postgres holds. */
  db: Db
  startWorker(options?: WorkerProcessOptions): Promise<Running>
  spawnWorker(env?: Record<string, string>): Promise<SpawnedWorker>
  /** Deletes every Redis key of this instance's queue prefix; returns how many. */
  flushQueue(): Promise<number>
  close(): Promise<void>
}

/**
 * A database of its own, so this file's reconcilers (which look at every operation in their database) and short
 * deadlines never touch operations of test files running alongside, and theirs never touch ours.
 */
async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = siblingDatabaseUrl(inject('databaseUrl'), 'w')
  await migrate(url)
  return { url, drop: () => dropDatabase(url) }
}

export async function startRp(env: Record<string, string> = {}): Promise<Rp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-workers-test-'))
  const database = await ownDatabase()
  const fullEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `${inject('queuePrefixBase')}-w${randomUUID().slice(0, 8)}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    HTTPS_PORT: '0',
    ...sharedTlsEnv(),
    ...FAST_WORKER_ENV,
    ...env,
  }
  const config = loadConfig(fullEnv)
  const api = await startApi(config)
  const db = createDb(config.databaseUrl, 4)
  const inProcess: Running[] = []
  const children = new Set<ChildProcess>()
  const exitOf = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))
  let closing = false

  function flushQueue(): Promise<number> {
    return deleteKeysWithPrefix(config.redisUrl, `${config.queuePrefix}:`)
  }

  return {
    env: fullEnv,
    config,
    api,
    baseUrl: withBothListeners(api).httpUrl,
    db,
    async startWorker(options = FAST_WORKER) {
      const worker = await startWorkerProcess(config, options)
      inProcess.push(worker)
      return worker
    },
    async spawnWorker(extra = {}) {
      if (closing) throw new Error('the RP is closing; no new workers')
      const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...fullEnv, LOG_LEVEL: 'info', ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.add(child)
      // ARCEXT_TEST_WORKER_LOGS=<dir> keeps each spawned worker's output, for reading after a failure.
      const logDir = process.env.ARCEXT_TEST_WORKER_LOGS
      if (logDir) {
        const file = createWriteStream(path.join(logDir, `worker-${child.pid}.log`))
        child.stdout.pipe(file)
        child.stderr.pipe(file)
      }
      const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))))
      void exited.then(() => children.delete(child))
      let stderr = ''
      child.stderr.on('data', (chunk) => (stderr += String(chunk)))
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker did not start within 30 s: ${stderr}`)), 30_000)
        child.stdout.on('data', (chunk) => {
          if (String(chunk).includes('arcext worker started')) {
            clearTimeout(timer)
            resolve()
          }
        })
        void exited.then((how) => reject(new Error(`worker exited (${how}) before it started: ${stderr}`)))
      })
      return { pid: child.pid!, exited, kill: (signal) => child.kill(signal) }
    },
    flushQueue,
    async close() {
      // Each step is timed so a slow shutdown names itself (ARCEXT_TRACE_CLOSE=1 prints them all).
      const step = async (name: string, work: () => Promise<unknown>) => {
        const started = Date.now()
        await work()
        const ms = Date.now() - started
        if (ms > 5000 || process.env.ARCEXT_TRACE_CLOSE) console.error(`rp.close: ${name} took ${ms} ms`)
      }
      closing = true
      await step('workers.kill', () => Promise.all([...children].map((child) => (child.kill('SIGKILL'), exitOf(child)))))
      for (const worker of inProcess) await step('worker.stop', () => worker.stop())
      await step('api.stop', () => api.stop())
      await step('flushQueue', flushQueue)
      await step('db.$disconnect', () => db.$disconnect())
      await step('database.drop', () => database.drop())
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export type Body = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export function asyncUrl(response: ArmResponse): string {
  const url = response.headers.get('azure-asyncoperation')
  if (!url) throw new Error(`no Azure-AsyncOperation header on ${response.status} ${JSON.stringify(response.body)}`)
  return url
}

export function operationIdOf(response: ArmResponse): string {
  return asyncUrl(response).split('/operations/')[1]!.split('?')[0]!
}

/** Polls the operation status URL until it is terminal. */
export async function settled(rp: Pick<Rp, 'baseUrl'>, statusUrl: string, timeoutMs = 20_000): Promise<Body> {
  const done = await until(
    () => call<Body>(rp, 'GET', statusUrl),
    (r) => r.status === 200 && r.body.status !== 'InProgress',
    timeoutMs,
  )
  return done.body
}

/** Every operation row in Postgres that acts on resources of this subscription. */
async function operationsOf(db: Db, subscription: string) {
  return db.operation.findMany({ where: { resourceIdKey: { startsWith: `/subscriptions/${subscription.toLowerCase()}/` } }, orderBy: { startTime: 'asc' } })
}

/**
 * For a failure message: each still-running operation with the session (if any) holding its subject's advisory lock
 * (workers/subject-locks.ts), so a stuck operation names what blocks it.
 */
export async function stuckOperationReport(db: Db, subscription: string): Promise<string> {
  const stuck = (await operationsOf(db, subscription)).filter((op) => op.status === 'InProgress')
  const lines: string[] = []
  for (const op of stuck) {
    const subject = op.extensionId ? `arcext:extension:${op.extensionId}` : `arcext:cluster:${op.clusterId}`
    const holders = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT a.pid, a.application_name, a.state, a.query, a.backend_start, a.state_change
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`,
      subject,
    )
    lines.push(`${op.kind} ${op.id} attempts=${op.attempts} started=${op.startTime.toISOString()} ${op.resourceId}\n  lock holders: ${JSON.stringify(holders)}`)
  }
  return lines.join('\n')
}

/** Waits until no operation of the subscription is InProgress, then returns them all. */
export async function allTerminal(db: Db, subscription: string, timeoutMs = 30_000) {
  return until(
    () => operationsOf(db, subscription),
    (ops) => ops.length > 0 && ops.every((op) => op.status !== 'InProgress'),
    timeoutMs,
  )
}

export async function addFault(rp: Pick<Rp, 'baseUrl'>, fault: Record<string, unknown>): Promise<Body> {
  const response = await call<Body>(rp, 'POST', '/admin/simulator/faults', fault)
  if (response.status >= 300) throw new Error(`fault rule rejected: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body
}
