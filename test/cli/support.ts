// Running bin/arcext.mjs (and other programs) as a user would: a child process with a small environment, its exit
// code, stdout and stderr.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { repoRoot } from '../../core/paths.js'

export const BIN = path.join(repoRoot, 'bin', 'arcext.mjs')

export interface Run {
  code: number
  stdout: string
  stderr: string
}

export async function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}
