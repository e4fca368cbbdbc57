// Process behaviour of `npm run api` / `npm run worker`: one clear line when a service is missing, readiness once
// up, and a clean exit on SIGTERM.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { repoRoot } from '../../core/paths.js'

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-proc-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

interface Exited {
  code: number | null
  stderr: string
  stdout: string
}

function runEntry(entry: string, env: Record<string, string>, onStdout?: (chunk: string, child: ReturnType<typeof spawn>) => void): Promise<Exited> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env } })
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      onStdout?.(String(chunk), child)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr, stdout })
    })
  })
}

const services = () => ({
  DATABASE_URL: inject('databaseUrl'),
  REDIS_URL: inject('redisUrl'),
  QUEUE_PREFIX: `${inject('queuePrefixBase')}-proc`,
  ENCRYPTION_KEY: inject('encryptionKey'),
})

describe('process startup and shutdown', () => {
  it.each([
    [
      'api/main.ts',
      { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/arcext' },
      /^arcext api: cannot start: PostgreSQL is not reachable at postgresql:\/\/postgres@127\.0\.0\.1:1\/arcext; .*docker compose -f docker-compose\.yml -f docker-compose\.ports\.yml up -d postgres`/,
    ],
    [
      'workers/main.ts',
      { REDIS_URL: 'redis://127.0.0.1:1' },
      /^arcext worker: cannot start: Redis is not reachable at redis:\/\/127\.0\.0\.1:1.*docker compose -f docker-compose\.yml -f docker-compose\.ports\.yml up -d redis`/,
    ],
  ])('%s fails fast with one line naming the unreachable service', async (entry, env, message) => {
    const result = await runEntry(entry, { ...services(), PORT: '0', HTTPS_PORT: '0', ...env })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(message)
  })

  it('api starts, reports ready, and exits 0 on SIGTERM', async () => {
    let url: string | undefined
    let ready: unknown
    const result = await runEntry('api/main.ts', { ...services(), PORT: '0', HTTPS_PORT: '0' }, (chunk, child) => {
      const match = /"http":"(http:\/\/[^"]+)"/.exec(chunk)
      if (match && !url) {
        url = match[1]
        fetch(`${url}/readyz`)
          .then((r) => r.json())
          .then((body) => {
            ready = body
            child.kill('SIGTERM')
          })
          .catch(() => child.kill('SIGTERM'))
      }
    })
    expect(url).toBeDefined()
    expect(ready).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', migrations: 'ok' } })
    expect(result.code).toBe(0)
  })

  it('logs for people with LOG_FORMAT=pretty, and JSON lines otherwise when not on a terminal', async () => {
    const pretty = await runEntry('workers/main.ts', { ...services(), LOG_FORMAT: 'pretty' }, (chunk, child) => {
      if (chunk.includes('arcext worker started')) child.kill('SIGTERM')
    })
    const line = pretty.stdout.split('\n').find((text) => text.includes('arcext worker started'))
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(worker\): arcext worker started/)
    const json = await runEntry('workers/main.ts', services(), (chunk, child) => {
      if (chunk.includes('arcext worker started')) child.kill('SIGTERM')
    })
    const jsonLine = json.stdout.split('\n').find((text) => text.includes('arcext worker started'))
    expect(JSON.parse(jsonLine!)).toMatchObject({ level: 30, name: 'worker', msg: 'arcext worker started' })
  })

  it('worker starts and exits 0 on SIGTERM', async () => {
    const result = await runEntry('workers/main.ts', services(), (chunk, child) => {
      if (chunk.includes('arcext worker started')) child.kill('SIGTERM')
    })
    expect(result.stdout).toContain('arcext worker started')
    expect(result.code).toBe(0)
  })

  it('a worker started by a supervisor (npm start) stops when the supervisor is SIGKILLed', async () => {
    // The supervisor as scripts/run.mjs starts children: with an IPC channel. It prints the worker's pid once the
    // worker is up, then the test kills the supervisor outright, which no signal handler can see.
    const supervisor = [
      "const { spawn } = require('node:child_process')",
      "const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })",
      "child.stdout.on('data', (chunk) => { if (String(chunk).includes('arcext worker started')) console.log('worker pid ' + child.pid) })",
    ].join('\n')
    const parent = spawn(process.execPath, ['-e', supervisor], { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', ...services() } })
    const workerPid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker did not start')), 25_000)
      parent.stdout.on('data', (chunk) => {
        const match = /worker pid (\d+)/.exec(String(chunk))
        if (match) {
          clearTimeout(timer)
          resolve(Number(match[1]))
        }
      })
    })
    parent.kill('SIGKILL')
    const alive = () => {
      try {
        process.kill(workerPid, 0)
        return true
      } catch {
        return false
      }
    }
    await expect.poll(alive, { timeout: 15_000, interval: 100 }).toBe(false)
  })
})
