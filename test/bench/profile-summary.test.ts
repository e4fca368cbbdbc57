// The bench's profile summary: busy time by function and by owner, where Node's own code and native leaves count for
// the package that called them and idle time counts for nobody.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { summarizeProfile } from '../../scripts/bench/profile-summary.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'arcext-profile-summary-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, scriptId: '0', columnNumber: 0 })

describe('summarizeProfile', () => {
  it('charges native and node-internal frames to their calling package, leaves idle out and ignores the wait before the first sample', () => {
    const nodes = [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 8] },
      { id: 2, callFrame: frame('query', 'file:///app/node_modules/pg/lib/client.js'), children: [3] },
      { id: 3, callFrame: frame('Socket._writeGeneric', 'node:net'), children: [4] },
      { id: 4, callFrame: frame('writev') },
      { id: 5, callFrame: frame('(idle)') },
      { id: 6, callFrame: frame('handler', `file://${repoRoot}/dist/api/routes/extensions.js`), children: [7] },
      { id: 7, callFrame: frame('(garbage collector)') },
      { id: 8, callFrame: frame('onStreamRead', 'node:internal/stream_base_commons') },
    ]
    // Sample i lasted timeDeltas[i + 1] µs; the first delta (9 s) is the profiler's start-up.
    const samples = [6, 4, 4, 5, 7, 8, 6]
    const timeDeltas = [9_000_000, 100, 300, 100, 1_000, 200, 200]
    const file = path.join(dir, 'synthetic.cpuprofile')
    writeFileSync(file, JSON.stringify({ nodes, samples, timeDeltas, startTime: 0, endTime: 0 }))
    const summary = summarizeProfile(file)
    // Busy: handler 100 + writev 300 + 100 + gc 200 + onStreamRead 200 (+ the last sample, which has no duration); idle 1,000.
    expect(summary.busyMs).toBeCloseTo(0.9)
    const owners = Object.fromEntries(summary.owners.map((share) => [share.name, Math.round(share.percent)]))
    expect(owners).toEqual({ pg: 44, api: 11, '(garbage collector)': 22, node: 22 })
    expect(summary.functions[0]).toEqual({ name: 'writev', percent: (400 / 900) * 100 })
    expect(summary.functions.map((share) => share.name)).not.toContain('(idle)')
  })
})
