// Runs the helm CLI through execa, without a shell. Secrets reach helm only as files: the kubeconfig and the values are written into
// a fresh private directory (0700) as 0600 files, passed by path, and the directory is removed when the call ends,
// whatever the outcome. The same directory holds helm's private HOME (helm-environment.ts). Nothing here logs
// arguments, file contents or helm's output.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'

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
/** After SIGTERM (deadline or abort), helm gets this long to clean up before SIGKILL. */
const KILL_GRACE_MS = 5000

/**
 * Keeps the first `limit` bytes of a stream and drops the rest. execa's own maxBuffer would kill helm instead, and a
 * chatty helm that still finishes should keep its outcome.
 */
function truncatedAfter(limit: number) {
  let size = 0
  return {
    // Bytes, as `encoding: 'buffer'` delivers them; decoded once the output is complete.
    *transform(chunk: unknown) {
      if (!(chunk instanceof Uint8Array) || size >= limit) return
      const kept = chunk.subarray(0, limit - size)
      size += kept.length
      yield kept
    },
    binary: true,
  }
}

export async function runHelm(args: readonly string[], options: HelmRunOptions): Promise<HelmOutcome> {
  if (options.signal?.aborted) return { kind: 'aborted', reason: options.signal.reason }
  const result = await execa(options.helmBin, args, {
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: truncatedAfter(MAX_STDOUT),
    stderr: truncatedAfter(MAX_STDERR),
    encoding: 'buffer',
    stripFinalNewline: false,
    timeout: options.timeoutMs,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    killSignal: 'SIGTERM',
    forceKillAfterDelay: KILL_GRACE_MS,
    reject: false,
  })
  if (result.isCanceled) return { kind: 'aborted', reason: options.signal?.reason }
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')
  if (result.timedOut) return { kind: 'timedOut', stderr: text(result.stderr) }
  // No exit code and no signal: helm never started (ENOENT, EACCES, ...).
  if (result.exitCode === undefined && result.signal === undefined) {
    return { kind: 'spawnFailed', errorCode: result.code ?? 'UNKNOWN', message: result.originalMessage ?? result.shortMessage ?? 'helm could not be started' }
  }
  return { kind: 'exited', code: result.exitCode ?? 1, stdout: text(result.stdout), stderr: text(result.stderr) }
}
