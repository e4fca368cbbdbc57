// `npm start` on a machine where PostgreSQL and Redis are installed but nothing listens at DATABASE_URL and REDIS_URL:
// the supervisor (scripts/run.mjs) starts private servers under DATA_DIR on exactly those addresses, the service
// comes up and runs an extension lifecycle on them, and stopping the supervisor (SIGTERM, or SIGKILL which no handler
// sees) leaves no process behind. A second start reuses the data directory. Works as root: PostgreSQL then runs as
// the postgres OS user. Needs PostgreSQL's initdb and postgres (Debian: apt-get install postgresql) and redis-server;
// skipped, and says so, without.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { CLUSTER_API, EXTENSION_API, clusterPath, compatibleCluster, extensionPath, freshSubscription } from '../helpers/harness.js'
import { freePort } from '../../scripts/free-port.js'

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-private-'))
const running: ChildProcess[] = []
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

interface Started {
  supervisor: ChildProcess
  url: string
  stderr: () => string
}

/** `npm start` as npm runs it: scripts/run.mjs start, building first. Resolves once the api says where it listens. */
function npmStart(env: Record<string, string>): Promise<Started> {
  const supervisor = spawn(process.execPath, ['scripts/run.mjs', 'start'], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  running.push(supervisor)
  let stdout = ''
  let stderr = ''
  supervisor.stderr.on('data', (chunk) => (stderr += String(chunk)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up; stderr: ${stderr}`)), 180_000)
    supervisor.on('exit', (code) => reject(new Error(`npm start exited (${code}); stderr: ${stderr}`)))
    supervisor.stdout.on('data', (chunk) => {
      stdout += String(chunk)
      const match = /"http":"(http:\/\/[^"]+)"/.exec(stdout)
      if (match) {
        clearTimeout(timer)
        resolve({ supervisor, url: match[1]!, stderr: () => stderr })
      }
    })
  })
}

/** The private servers' pids: PostgreSQL by its data directory, Redis by the address in its process title. */
function privateServerPids(redisPort: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
  return table
    .split('\n')
    .filter((line) => line.includes(`-D ${path.join(dataDir, 'postgres')}`) || line.includes(`redis-server 127.0.0.1:${redisPort}`))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim())
      .map(Number)
  } catch {
    return []
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A process left running, as a failure shows it: its pid and command line. */
function describeProcess(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`
  } catch {
    return String(pid)
  }
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json' } })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const installed = (program: string, dirs: string[]) => dirs.some((dir) => existsSync(path.join(dir, program)))
const searched = [...(process.env.PATH ?? '').split(path.delimiter), ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`) : [])]
const missing = ['initdb', 'postgres', 'redis-server'].filter((program) => !installed(program, searched))
if (missing.length) console.warn(`private-services.test.ts skipped: ${missing.join(', ')} not installed (Debian: apt-get install postgresql redis-server)`)
const suite = missing.length ? describe.skip : describe

suite('npm start with PostgreSQL and Redis installed but not running', () => {
  it('runs private ones under DATA_DIR, serves a lifecycle on them, and stops them with itself', { timeout: 420_000 }, async () => {
    const [pgPort, redisPort] = [await freePort(), await freePort()]
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgPort}/arcext`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_CLUSTER_NODES: '',
      ENCRYPTION_KEY: '',
      PORT: '0',
      HTTPS_PORT: 'off',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      THROTTLING: 'off',
      SEED_FILE: '',
    }
    const first = await npmStart(env)
    expect(first.stderr()).toContain(
      `arcext: nothing listened there, so npm start runs a private PostgreSQL at postgresql://postgres@127.0.0.1:${pgPort}/arcext (data in ${path.join(dataDir, 'postgres')}) and a private Redis at redis://127.0.0.1:${redisPort} (data in ${path.join(dataDir, 'redis')}); they stop when npm start stops`,
    )
    expect((await json(`${first.url}/readyz`)).body).toMatchObject({ status: 'ready' })

    const sub = freshSubscription()
    const cluster = `${first.url}${clusterPath(sub)}`
    expect((await json(`${cluster}?${CLUSTER_API}`, { method: 'PUT', body: JSON.stringify(compatibleCluster) })).status).toBe(201)
    const ext = `${first.url}${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    expect((await json(ext, { method: 'PUT', body: JSON.stringify({ properties: { extensionType: 'microsoft.flux' } }) })).status).toBe(201)
    const installed = await waitFor(
      () => json(ext),
      (r) => (r.body.properties as { provisioningState?: string } | undefined)?.provisioningState === 'Succeeded',
    )
    expect(installed.body.properties).toMatchObject({ provisioningState: 'Succeeded' })
    expect((await json(ext, { method: 'DELETE' })).status).toBe(202)
    expect(
      (
        await waitFor(
          () => json(ext),
          (r) => r.status === 404,
        )
      ).status,
    ).toBe(404)

    const servers = privateServerPids(redisPort)
    expect(servers).toHaveLength(2)
    const tree = [...childPids(first.supervisor.pid!), ...servers]
    first.supervisor.kill('SIGTERM')
    await expect.poll(() => tree.filter(alive), { timeout: 20_000, interval: 100 }).toEqual([])

    // Again on the same DATA_DIR: the data is still there, and a SIGKILLed supervisor leaves nothing running either.
    const second = await npmStart(env)
    expect((await json(`${cluster.replace(first.url, second.url)}?${CLUSTER_API}`)).status).toBe(200)
    const again = [...childPids(second.supervisor.pid!), ...privateServerPids(redisPort)]
    expect(again.length).toBeGreaterThanOrEqual(4)
    second.supervisor.kill('SIGKILL')
    // The api and worker stop within their orphan deadline (10 s, core/main-process.ts); the servers at once.
    await expect.poll(() => again.filter(alive).map(describeProcess), { timeout: 30_000, interval: 100 }).toEqual([])
  })
})
