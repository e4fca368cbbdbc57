// The server processes under test, as children: the api and worker entry points (the built dist/ files that
// `npm start` runs, or the TypeScript sources through tsx when the bench itself runs from source) and the bare
// baseline server. CPU time and memory are read from /proc, so they cover the whole process, not a sample.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { HEAP_LIMIT_FLAGS } from '../../core/heap-limits.js'
import { repoRoot } from '../../core/paths.js'
import { freePort } from '../free-port.js'

export type Role = 'api' | 'worker' | 'baseline'

const fromSource = fileURLToPath(import.meta.url).endsWith('.ts')

const ENTRIES: Record<Role, string> = { api: 'api/main', worker: 'workers/main', baseline: 'scripts/bench/baseline-server' }

function entryArgs(role: Role): string[] {
  // The api and worker with the heap limits npm start and the image give them; the bare server at node's defaults.
  const flags = role === 'baseline' ? [] : HEAP_LIMIT_FLAGS
  return fromSource ? [...flags, '--import', 'tsx', path.join(repoRoot, `${ENTRIES[role]}.ts`)] : [...flags, path.join(repoRoot, 'dist', `${ENTRIES[role]}.js`)]
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

export function assertProcfs(): void {
  try {
    readFileSync(`/proc/${process.pid}/stat`, 'utf8')
  } catch {
    throw new Error('the bench reads CPU time and memory from /proc, so it runs on Linux only')
  }
}

const OUTPUT_KEPT = 8000

export class ServerProcess {
  private output = ''
  private exitedWith: string | null = null
  private readonly exited: Promise<void>

  constructor(
    readonly role: Role,
    readonly child: ChildProcess,
    /** Where it answers HTTP (api and baseline). */
    readonly url: string | null,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEPT))
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitedWith = signal ?? String(code)
        resolve()
      }),
    )
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.role} has no pid`)
    return this.child.pid
  }

  /** Why the process is gone, with the end of its output; null while it runs. */
  get failure(): string | null {
    return this.exitedWith === null ? null : `${this.role} (pid ${this.child.pid}) exited (${this.exitedWith}):\n${this.output.trim()}`
  }

  /** User plus system CPU time so far, in microseconds. */
  cpuMicros(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND
  }

  /** Resident memory now (VmRSS) and at its peak so far (VmHWM), in MiB. */
  memoryMb(): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0)
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
  }

  async stop(): Promise<void> {
    if (this.exitedWith !== null) return
    this.child.kill('SIGTERM')
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 15_000)
    await this.exited
    clearTimeout(killer)
  }
}

function spawnRole(role: Role, env: Record<string, string>, url: string | null): ServerProcess {
  const child = spawn(process.execPath, entryArgs(role), { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return new ServerProcess(role, child, url)
}

async function untilAnswers(server: ServerProcess, probePath: string, timeoutMs = 60_000): Promise<ServerProcess> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const failure = server.failure
    if (failure) throw new Error(`${server.role} did not start: ${failure}`)
    try {
      const response = await fetch(`${server.url}${probePath}`)
      if (response.ok) return server
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop()
      throw new Error(`${server.role} was not ready within ${timeoutMs} ms: ${server.failure ?? ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** An api with the plain listener only, returned once /readyz says Postgres, Redis and migrations are fine. */
export async function startApiProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort()
  return untilAnswers(spawnRole('api', { ...env, HOST: '127.0.0.1', PORT: String(port), HTTPS_PORT: 'off' }, `http://127.0.0.1:${port}`), '/readyz')
}

/** A worker has no listener; `untilSettled` tells when it has finished starting. */
export function startWorkerProcess(env: Record<string, string>): ServerProcess {
  return spawnRole('worker', env, null)
}

/**
 * Waits until a process that has no readiness endpoint (a worker) is done starting: it has used some CPU time
 * (loading modules, connecting) and then uses little of it (idle, waiting for jobs), so timing does not start
 * while it is still loading.
 */
export async function untilSettled(servers: readonly ServerProcess[], timeoutMs = 60_000): Promise<void> {
  const STARTUP_CPU_MICROS = 250_000
  const WINDOW_MS = 300
  const IDLE_SHARE = 0.15
  // Two quiet windows in a row: one alone can be a wait on Postgres or Redis in the middle of starting.
  const QUIET_WINDOWS = 2
  const deadline = Date.now() + timeoutMs
  for (const server of servers) {
    let quiet = 0
    while (quiet < QUIET_WINDOWS) {
      const before = cpuMicros([server])
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS))
      const after = cpuMicros([server])
      quiet = after >= STARTUP_CPU_MICROS && after - before < WINDOW_MS * 1000 * IDLE_SHARE ? quiet + 1 : 0
      if (Date.now() > deadline) throw new Error(`${server.role} (pid ${server.pid}) did not settle within ${timeoutMs} ms`)
    }
  }
}

export async function startBaselineProcess(databaseUrl: string): Promise<ServerProcess> {
  const port = await freePort()
  return untilAnswers(spawnRole('baseline', { DATABASE_URL: databaseUrl, PORT: String(port) }, `http://127.0.0.1:${port}`), '/healthz')
}

/** Sums CPU time over processes; a process that exited fails the pass with its output. */
export function cpuMicros(processes: readonly ServerProcess[]): number {
  for (const server of processes) {
    const failure = server.failure
    if (failure) throw new Error(failure)
  }
  return processes.reduce((sum, server) => sum + server.cpuMicros(), 0)
}

/** Highest resident memory seen per role while it runs, sampled every 100 ms. */
export class RssSampler {
  private readonly highest = new Map<Role, number>()
  private readonly timer: NodeJS.Timeout

  constructor(private readonly processes: readonly ServerProcess[]) {
    this.sample()
    this.timer = setInterval(() => this.sample(), 100)
  }

  private sample(): void {
    for (const server of this.processes) {
      if (server.failure) continue
      try {
        const { rss } = server.memoryMb()
        this.highest.set(server.role, Math.max(this.highest.get(server.role) ?? 0, rss))
      } catch {
        // it exited between the check and the read; the pass reports that
      }
    }
  }

  stop(): Partial<Record<Role, number>> {
    clearInterval(this.timer)
    this.sample()
    return Object.fromEntries(this.highest)
  }
}
