// npm run bench's flags: sizes are checked before anything starts, --quick shrinks the run, explicit flags win.
import { describe, expect, it } from 'vitest'
import { FlagError, parseFlags } from '../../scripts/bench/flags.js'

describe('bench flags', () => {
  it('defaults to three repetitions over 1000 clusters', () => {
    expect(parseFlags([])).toMatchObject({ reps: 3, clusters: 1000, quick: false, out: 'bench-results.json' })
  })

  it('shrinks everything with --quick, and lets an explicit flag override it in either order', () => {
    const quick = parseFlags(['--quick'])
    expect(quick.quick).toBe(true)
    expect(quick.clusters).toBeLessThan(parseFlags([]).clusters)
    expect(parseFlags(['--clusters', '7', '--quick']).clusters).toBe(7)
    expect(parseFlags(['--quick', '--large-cluster=100000']).largeCluster).toBe(100_000)
    expect(parseFlags(['--seconds', '0.5']).seconds).toBe(0.5)
  })

  it('takes no profiles unless --profile names a directory', () => {
    expect(parseFlags([]).profile).toBeNull()
    expect(parseFlags(['--profile', '/tmp/p']).profile).toBe('/tmp/p')
    expect(() => parseFlags(['--profile'])).toThrow(FlagError)
  })

  it.each([[['--reps', '0']], [['--clusters', '1.5']], [['--seconds', 'fast']], [['--large-cluster']], [['--bogus', '1']], [['stray']]])('refuses %j', (argv) => {
    expect(() => parseFlags(argv)).toThrow(FlagError)
  })
})
