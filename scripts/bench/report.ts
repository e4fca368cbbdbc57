// The table `npm run bench` prints: one line per scenario with its medians, ratio, CPU, wire counts and memory.
import { formatProfileSummary } from './profile-summary.js'
import type { BenchResults, ScenarioResult } from './results.js'

const fixed = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '-' : value.toFixed(digits))

function row(scenario: ScenarioResult): string[] {
  const { project, baseline, counts } = scenario
  return [
    scenario.id,
    scenario.processes,
    String(scenario.connections),
    `${fixed(project.throughput)}/s`,
    fixed(project.p50Ms),
    fixed(project.p99Ms),
    baseline ? `${fixed(baseline.throughput)}/s` : '-',
    scenario.ratio === null ? '-' : `${fixed(scenario.ratio, 2)}×`,
    fixed(project.cpuUsPerRequest, 0),
    baseline ? fixed(baseline.cpuUsPerRequest, 0) : '-',
    counts ? fixed(counts.postgres) : '-',
    counts ? fixed(counts.redis) : '-',
    `${fixed(scenario.rssMb.api, 0)}/${fixed(scenario.rssMb.worker, 0)}`,
  ]
}

const HEADER = ['scenario', 'processes', 'conns', 'throughput', 'p50 ms', 'p99 ms', 'bare', 'ratio', 'CPU µs/req', 'bare CPU', 'pg/req', 'redis/req', 'RSS MB api/worker']

export function formatTable(results: BenchResults): string {
  const rows = [HEADER, ...results.scenarios.map(row)]
  const widths = HEADER.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)))
  const line = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')
  const ratios = results.scenarios.filter((scenario) => scenario.ratioMeaning).map((scenario) => `  ${scenario.id}: ratio = ${scenario.ratioMeaning}`)
  const peak = results.peakRssMb
  const idle = results.idleWorker
  return [
    line(HEADER),
    ...rows.slice(1).map(line),
    '',
    ...ratios,
    `  peak RSS (VmHWM) over the run: api ${fixed(peak.api, 0)} MB, worker ${fixed(peak.worker, 0)} MB, bare server ${fixed(peak.baseline, 0)} MB`,
    idle ? `  idle worker: ${fixed(idle.postgresPerSecond)} Postgres statements/s, ${fixed(idle.redisPerSecond)} Redis commands/s` : '',
    `  medians of ${String(results.flags.reps)} pass(es) each; ${results.durationSeconds.toFixed(0)} s in all; load average at start ${results.machine.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')}`,
    ...results.profiles.map((profile) => `\n${formatProfileSummary(`${profile.scenario}, ${profile.process} (${profile.file})`, profile.summary)}`),
  ].join('\n')
}
