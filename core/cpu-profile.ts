// CPU profiles of a running process on demand, as Go's pprof gives: with CPU_PROFILE_DIR set, SIGUSR2 starts V8's
// sampling profiler and the next SIGUSR2 writes what it sampled to `<dir>/<name>-<pid>-<n>.cpuprofile` (Chrome
// DevTools' format; `npm run bench -- --profile DIR` summarises them). `node --cpu-prof` profiles a whole process
// life; this profiles the minute that matters in a process already warmed up and under the load being studied.
// Nothing happens without the variable: signals are the operator's (same user or root), and the profile holds code
// locations and timings, never values.
import { Session } from 'node:inspector/promises'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Stops the profiler and answers the profile as JSON. */
type Stop = () => Promise<string>

async function startProfiling(): Promise<Stop> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  // 100 µs between samples: fine enough for request paths that take a few hundred µs, at a few % overhead.
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  return async () => {
    try {
      const { profile } = await session.post('Profiler.stop')
      return JSON.stringify(profile)
    } finally {
      session.disconnect()
    }
  }
}

/** Installs the SIGUSR2 toggle when `dir` is set; `name` is the role (api, worker, start). */
export function installCpuProfileSignal(name: string, dir: string | undefined): void {
  if (!dir) return
  let stop: Promise<Stop> | null = null
  let written = 0
  const report = (line: string) => process.stderr.write(`arcext ${name}: ${line}\n`)
  process.on('SIGUSR2', () => {
    if (!stop) {
      stop = startProfiling()
      stop.then(
        () => report('CPU profile started (SIGUSR2 again writes it)'),
        (error: unknown) => {
          stop = null
          report(`CPU profile could not start: ${String(error)}`)
        },
      )
      return
    }
    const stopping = stop
    stop = null
    written += 1
    const file = path.resolve(dir, `${name}-${process.pid}-${written}.cpuprofile`)
    stopping
      .then((end) => end())
      .then((json) => {
        mkdirSync(dir, { recursive: true })
        // Renamed into place, so whoever waits for the file never reads half of it.
        writeFileSync(`${file}.partial`, json)
        renameSync(`${file}.partial`, file)
        report(`CPU profile written to ${file}`)
      })
      .catch((error: unknown) => report(`CPU profile could not be written: ${String(error)}`))
  })
}
