// `--profile DIR`: CPU profiles of the api and worker processes over each scenario, taken through their SIGUSR2
// toggle (core/cpu-profile.ts, enabled by CPU_PROFILE_DIR), so a profile covers the scenario's load and not the
// process's start-up or the scenarios before it. Each profile is kept as `<scenario>.<role>-<pid>.cpuprofile` in DIR
// (open it in Chrome DevTools or speedscope) and summarised in the report.
import { existsSync, renameSync } from 'node:fs'
import path from 'node:path'
import { summarizeProfile, type ProfileSummary } from './profile-summary.js'
import type { ServerProcess } from './processes.js'

export interface ScenarioProfile {
  scenario: string
  /** `<role>-<pid>`. */
  process: string
  file: string
  summary: ProfileSummary
}

/** Time for a process to have its profiler running after the signal (an in-process inspector session: a few ms). */
const START_MS = 300
const WRITE_TIMEOUT_MS = 30_000

export class Profiler {
  readonly profiles: ScenarioProfile[] = []
  private readonly written = new Map<number, number>()

  constructor(readonly dir: string) {}

  /** Starts profiling the processes that can be profiled (the api and worker). */
  async start(servers: readonly ServerProcess[]): Promise<void> {
    for (const server of profilable(servers)) server.child.kill('SIGUSR2')
    await new Promise((resolve) => setTimeout(resolve, START_MS))
  }

  /** Stops profiling them, keeps the files under the scenario's name and summarises them (a repeated scenario keeps its last). */
  async stop(servers: readonly ServerProcess[], scenario: string): Promise<void> {
    for (const server of profilable(servers)) {
      server.child.kill('SIGUSR2')
      const count = (this.written.get(server.pid) ?? 0) + 1
      this.written.set(server.pid, count)
      const file = await untilWritten(path.join(this.dir, `${server.role}-${server.pid}-${count}.cpuprofile`), server)
      const kept = path.join(this.dir, `${scenario}.${server.role}-${server.pid}.cpuprofile`)
      renameSync(file, kept)
      const entry = { scenario, process: `${server.role}-${server.pid}`, file: kept, summary: summarizeProfile(kept) }
      const earlier = this.profiles.findIndex((profile) => profile.scenario === scenario && profile.process === entry.process)
      if (earlier >= 0) this.profiles.splice(earlier, 1, entry)
      else this.profiles.push(entry)
    }
  }

  async around<T>(scenario: string, servers: readonly ServerProcess[], work: () => Promise<T>): Promise<T> {
    await this.start(servers)
    const result = await work()
    await this.stop(servers, scenario)
    return result
  }
}

const profilable = (servers: readonly ServerProcess[]) => servers.filter((server) => server.role !== 'baseline')

async function untilWritten(file: string, server: ServerProcess): Promise<string> {
  const deadline = Date.now() + WRITE_TIMEOUT_MS
  while (!existsSync(file)) {
    const failure = server.failure
    if (failure) throw new Error(`no CPU profile: ${failure}`)
    if (Date.now() > deadline) throw new Error(`${server.role} (pid ${server.pid}) wrote no CPU profile to ${file} within ${WRITE_TIMEOUT_MS / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return file
}
