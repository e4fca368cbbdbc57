// The heap limits the launchers give the api and worker (core/heap-limits.ts) are flags node accepts and V8 applies:
// a misspelt flag would stop every process at start, a wrong value would silently leave V8's defaults.
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { HEAP_LIMIT_FLAGS, heapLimitFlags } from '../../core/heap-limits.js'

const HEAP_REPORT = `
const v8 = require('node:v8')
console.log(v8.getHeapStatistics().heap_size_limit)
`

/** V8's heap size limit in a node started with these flags, in bytes. */
function heapLimitOf(flags: readonly string[]): number {
  return Number(execFileSync(process.execPath, [...flags, '-e', HEAP_REPORT], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }))
}

describe('heap limits of the api and worker processes', () => {
  it('are accepted by node and lower V8 limits below its defaults', () => {
    const MB = 1024 * 1024
    const limited = heapLimitOf(HEAP_LIMIT_FLAGS)
    const defaults = heapLimitOf([])
    const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(HEAP_LIMIT_FLAGS.join(' '))?.[1])
    const semiSpace = Number(/--max-semi-space-size=(\d+)/.exec(HEAP_LIMIT_FLAGS.join(' '))?.[1])
    // The whole heap's limit is the old generation's plus the young one's (three semi-spaces in Node 20).
    expect(limited).toBeGreaterThanOrEqual(oldSpace * MB)
    expect(limited).toBeLessThanOrEqual((oldSpace + 3 * semiSpace) * MB)
    expect(limited).toBeLessThan(defaults)
  })

  it('leave a limit NODE_OPTIONS sets to it, so an operator can raise it', () => {
    expect(heapLimitFlags('')).toEqual([...HEAP_LIMIT_FLAGS])
    expect(heapLimitFlags('--max-old-space-size=512 --enable-source-maps')).toEqual(HEAP_LIMIT_FLAGS.filter((flag) => !flag.startsWith('--max-old-space-size')))
    expect(heapLimitFlags('--max-semi-space-size=16 --max-old-space-size=512')).toEqual([])
  })
})
