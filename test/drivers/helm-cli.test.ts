// The helm process runner on its own, with node standing in for helm: the environment is exactly the one given,
// the deadline and an abort stop the process, a missing executable is reported, and output beyond the limits is
// dropped without failing the call.
import path from 'node:path'
import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { runHelm } from '../../workers/drivers/helm/helm-cli.js'

const node = process.execPath
const run = (script: string, options: { timeoutMs?: number; signal?: AbortSignal; env?: Record<string, string> } = {}) =>
  runHelm(['-e', script], { helmBin: node, timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal, env: options.env ?? {} })

describe('runHelm', () => {
  it('returns the exit code and output, with only the environment it was given', async () => {
    const outcome = await run('process.stdout.write(JSON.stringify(process.env)); process.stderr.write("warn\\n"); process.exit(3)', { env: { ONLY_THIS: 'yes' } })
    expect(outcome).toMatchObject({ kind: 'exited', code: 3, stderr: 'warn\n' })
    const env = JSON.parse((outcome as { stdout: string }).stdout) as Record<string, string>
    expect(env.ONLY_THIS).toBe('yes')
    expect(env.PATH).toBeUndefined()
    expect(env.HOME).toBeUndefined()
  })

  it('stops a process past its deadline and keeps what it wrote to stderr', async () => {
    const started = Date.now()
    const outcome = await run('process.stderr.write("waiting\\n"); setTimeout(() => {}, 60000)', { timeoutMs: 500 })
    expect(outcome).toEqual({ kind: 'timedOut', stderr: 'waiting\n' })
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('stops the process when the call is aborted, and does not start one for an aborted call', async () => {
    const controller = new AbortController()
    const reason = new Error('shutting down')
    setTimeout(() => controller.abort(reason), 300)
    expect(await run('setTimeout(() => {}, 60000)', { signal: controller.signal })).toEqual({ kind: 'aborted', reason })
    expect(await run('process.exit(0)', { signal: AbortSignal.abort(reason) })).toEqual({ kind: 'aborted', reason })
  })

  it('reports an executable that cannot be started', async () => {
    const outcome = await runHelm(['version'], { helmBin: path.join(os.tmpdir(), 'arcext-no-such-helm'), timeoutMs: 1000, env: {} })
    expect(outcome).toMatchObject({ kind: 'spawnFailed', errorCode: 'ENOENT' })
  })

  it('keeps the first MiB of stderr and lets a chatty process finish', async () => {
    const outcome = await run('process.stderr.write("x".repeat(3 * 1024 * 1024), () => process.exit(0))')
    expect(outcome).toMatchObject({ kind: 'exited', code: 0 })
    expect((outcome as { stderr: string }).stderr).toHaveLength(1024 * 1024)
  })
})
