// Command-line flags of `npm run bench`: sizes and durations, with defaults that finish in under three minutes on a
// 2-core machine and a --quick profile that only proves every scenario still runs.

export interface BenchFlags {
  /** Length of one timed pass of a request scenario. */
  seconds: number
  /** Timed passes per scenario (project and baseline alternate); medians are reported. */
  reps: number
  /** Clusters in the sustained-install scenarios, each getting at most one install per pass. */
  clusters: number
  /** How long one install pass keeps sending PUTs (it ends sooner when every cluster got one). */
  installSeconds: number
  /** Extensions seeded on the large cluster (create and LIST scenarios). */
  largeCluster: number
  /** Extensions seeded on the small cluster LIST is compared with. */
  smallCluster: number
  /** Connections of the concurrent request scenarios. */
  connections: number
  /** Where the JSON results go. */
  out: string
  /** LOG_LEVEL of the api and worker processes. */
  logLevel: string
  /** Where CPU profiles of the api and worker over each scenario go; null takes none. */
  profile: string | null
  quick: boolean
}

const DEFAULTS: Omit<BenchFlags, 'quick'> = {
  seconds: 1.5,
  reps: 3,
  clusters: 1000,
  installSeconds: 4,
  largeCluster: 10_000,
  smallCluster: 1000,
  connections: 16,
  out: 'bench-results.json',
  logLevel: 'warn',
  profile: null,
}
const QUICK: Partial<BenchFlags> = { seconds: 0.3, reps: 1, clusters: 24, installSeconds: 1, largeCluster: 1000, smallCluster: 100 }

export const USAGE = `npm run bench -- [--quick] [--seconds S] [--reps N] [--clusters N] [--install-seconds S] [--large-cluster N] [--small-cluster N] [--connections N] [--out FILE] [--log-level LEVEL] [--profile DIR]`

export class FlagError extends Error {}

const NUMERIC: Record<string, { key: 'seconds' | 'reps' | 'clusters' | 'installSeconds' | 'largeCluster' | 'smallCluster' | 'connections'; integer: boolean; min: number }> = {
  seconds: { key: 'seconds', integer: false, min: 0.1 },
  'install-seconds': { key: 'installSeconds', integer: false, min: 0.1 },
  reps: { key: 'reps', integer: true, min: 1 },
  clusters: { key: 'clusters', integer: true, min: 1 },
  'large-cluster': { key: 'largeCluster', integer: true, min: 1 },
  'small-cluster': { key: 'smallCluster', integer: true, min: 1 },
  connections: { key: 'connections', integer: true, min: 1 },
}

export function parseFlags(argv: readonly string[]): BenchFlags {
  const given: Partial<BenchFlags> = {}
  let quick = false
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? ''
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (!match) throw new FlagError(`unexpected argument '${arg}'`)
    const name = match[1] ?? ''
    if (name === 'quick') {
      quick = true
      continue
    }
    const value = match[2] ?? argv[(i += 1)]
    if (value === undefined) throw new FlagError(`--${name} needs a value`)
    const numeric = NUMERIC[name]
    if (numeric) {
      const parsed = Number(value)
      if (!Number.isFinite(parsed) || parsed < numeric.min || (numeric.integer && !Number.isInteger(parsed))) {
        throw new FlagError(`--${name} needs ${numeric.integer ? 'a whole number' : 'a number'} of at least ${numeric.min}, not '${value}'`)
      }
      given[numeric.key] = parsed
    } else if (name === 'out') given.out = value
    else if (name === 'log-level') given.logLevel = value
    else if (name === 'profile') given.profile = value
    else throw new FlagError(`unknown flag --${name}`)
  }
  return { ...DEFAULTS, ...(quick ? QUICK : {}), ...given, quick }
}
