// Runs the helm CLI without a shell. Secrets reach helm only as files: the kubeconfig and the values are written into
// a fresh private directory (0700) as 0600 files, passed by path, and the directory is removed when the call ends,
// whatever the outcome. The same directory holds helm's private HOME (helm-environment.ts). Nothing here logs
// arguments, file contents or helm's output.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

export interface HelmFiles {
  kubeconfig: string
  /** Values document, serialised as JSON (helm reads JSON as YAML). */
  values?: unknown
}

export interface HelmFilePaths {
  /** The call's private directory, removed with everything in it when the call ends. */
  dir: string
  kubeconfig: string
  values: string | undefined
}

/** Runs `use` with the files on disk; they are deleted afterwards even if `use` throws. */
export async function withHelmFiles<T>(files: HelmFiles, use: (paths: HelmFilePaths) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arcext-helm-'))
  try {
    const kubeconfig = path.join(dir, 'kubeconfig')
    // 'wx': never follow or reuse a file someone else placed there.
    await writeFile(kubeconfig, files.kubeconfig, { mode: 0o600, flag: 'wx' })
    let values: string | undefined
    if (files.values !== undefined) {
      values = path.join(dir, 'values.json')
      await writeFile(values, JSON.stringify(files.values), { mode: 0o600, flag: 'wx' })
    }
    await mkdir(path.join(dir, 'home'), { mode: 0o700 })
    return await use({ dir, kubeconfig, values })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export interface HelmRunOptions {
  helmBin: string
  timeoutMs: number
  signal?: AbortSignal
  /** helm's whole environment (helm-environment.ts); nothing is inherited from this process. */
  env: Record<string, string>
}

export type HelmOutcome =
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  /** helm could not be started at all (ENOENT, EACCES, ...). */
  | { kind: 'spawnFailed'; errorCode: string; message: string }
  /** helm ran past its deadline and was stopped. */
  | { kind: 'timedOut'; stderr: string }
  | { kind: 'aborted'; reason: unknown }

const MAX_STDOUT = 64 * 1024 * 1024
const MAX_STDERR = 1024 * 1024
const KILL_GRACE_MS = 5000

function collector(limit: number) {
  const chunks: Buffer[] = []
  let size = 0
  return {
    add(chunk: Buffer) {
      if (size >= limit) return
      chunks.push(chunk.subarray(0, limit - size))
      size += Math.min(chunk.length, limit - size)
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  }
}

export function runHelm(args: readonly string[], options: HelmRunOptions): Promise<HelmOutcome> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve({ kind: 'aborted', reason: options.signal.reason })
    const child = spawn(options.helmBin, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const stdout = collector(MAX_STDOUT)
    const stderr = collector(MAX_STDERR)
    child.stdout.on('data', stdout.add)
    child.stderr.on('data', stderr.add)

    let stopped: 'timedOut' | 'aborted' | null = null
    let killTimer: NodeJS.Timeout | undefined
    const stop = (why: 'timedOut' | 'aborted') => {
      if (stopped) return
      stopped = why
      child.kill('SIGTERM')
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
      killTimer.unref()
    }
    const deadline = setTimeout(() => stop('timedOut'), options.timeoutMs)
    const onAbort = () => stop('aborted')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const cleanup = () => {
      clearTimeout(deadline)
      clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
    }

    child.once('error', (error: NodeJS.ErrnoException) => {
      cleanup()
      resolve({ kind: 'spawnFailed', errorCode: error.code ?? 'UNKNOWN', message: error.message })
    })
    child.once('close', (code) => {
      cleanup()
      if (stopped === 'aborted') resolve({ kind: 'aborted', reason: options.signal?.reason })
      else if (stopped === 'timedOut') resolve({ kind: 'timedOut', stderr: stderr.text() })
      else resolve({ kind: 'exited', code: code ?? 1, stdout: stdout.text(), stderr: stderr.text() })
    })
  })
}
