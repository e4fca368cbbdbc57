// The real api entry point (`npm run api`) under each authentication setup: dev mode refuses a non-loopback HOST
// with one line, the container opt-in starts it with a loud warning, a bad policy file stops startup with one line,
// and in jwt mode no token reaches the log, even at trace level.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { CLUSTER_API, clusterPath } from '../helpers/harness.js'
import { bearer, jwks, jwtEnv, signingKey, tempDir, token, writeJson } from './support.js'

const dataDir = tempDir()
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

interface Exited {
  code: number | null
  stderr: string
  stdout: string
}

/** Runs api/main.ts; `onListening` gets its HTTP URL once it listens, and must end with child.kill('SIGTERM'). */
function runApi(env: Record<string, string>, onListening?: (url: string, child: ChildProcess) => Promise<void>): Promise<Exited> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        PORT: '0',
        HTTPS_PORT: '0',
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: `${inject('queuePrefixBase')}-auth-proc`,
        // The run's shared database holds secrets sealed with the run's key; the startup check must find it.
        ENCRYPTION_KEY: inject('encryptionKey'),
        ...env,
      },
    })
    let stderr = ''
    let stdout = ''
    let listening = false
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const match = /"http":"http:\/\/[^:]+:(\d+)"/.exec(stdout)
      if (match && !listening) {
        listening = true
        const url = `http://127.0.0.1:${match[1]}`
        ;(onListening ?? (async (_url, c) => void c.kill('SIGTERM')))(url, child).catch(() => child.kill('SIGTERM'))
      }
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr, stdout })
    })
  })
}

function oneLine(result: Exited): string {
  expect(result.code, result.stderr + result.stdout).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  return lines[0]!
}

describe('api entry point and authentication setup', () => {
  it('refuses dev mode on a non-loopback HOST with one line saying why, the container opt-in and how to use jwt', async () => {
    const line = oneLine(await runApi({ HOST: '0.0.0.0' }))
    expect(line).toMatch(
      /^arcext api: cannot start: AUTH_MODE=dev accepts every request without a token, so it may only listen on a loopback address and HOST=0\.0\.0\.0 is not one; .*published on the host loopback only, AUTH_DEV_ALLOW_ALL_INTERFACES=true; or AUTH_MODE=jwt with AUTH_JWKS_URL/,
    )
  })

  it('starts dev mode on every interface with AUTH_DEV_ALLOW_ALL_INTERFACES=true, and warns loudly', async () => {
    let answered = 0
    const result = await runApi({ HOST: '0.0.0.0', AUTH_DEV_ALLOW_ALL_INTERFACES: 'true' }, async (url, child) => {
      answered = (await fetch(`${url}/healthz`)).status
      child.kill('SIGTERM')
    })
    expect(answered).toBe(200)
    expect(result.code).toBe(0)
    const warning = result.stdout.split('\n').find((line) => line.includes('AUTH_DEV_ALLOW_ALL_INTERFACES=true'))
    expect(warning).toBeDefined()
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, msg: expect.stringContaining('EVERY REQUEST IS SERVED WITHOUT AUTHENTICATION') })
  })

  it.each([
    ['not JSON', '{"principals": [', /cannot be read as JSON/],
    ['an unknown role', { principals: [{ oid: 'x', roleAssignments: [{ role: 'Admin', scope: '/' }] }] }, /\/principals\/0\/roleAssignments\/0\/role must be one of Reader, Contributor, Owner$/],
  ])('stops with one line when the policy file is %s', async (_name, content, message) => {
    const dir = tempDir()
    const key = await signingKey('RS256')
    const policy = path.join(dir, 'policy.json')
    writeFileSync(policy, typeof content === 'string' ? content : JSON.stringify(content))
    const line = oneLine(await runApi({ HOST: '127.0.0.1', ...jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(key)) }, policy) }))
    expect(line).toMatch(/^arcext api: cannot start: AUTH_POLICY_FILE=/)
    expect(line).toMatch(message)
  })

  it('never logs a token, valid or not, even at trace level', async () => {
    const dir = tempDir()
    const key = await signingKey('RS256')
    const oid = randomUUID()
    const sub = randomUUID()
    const policy = writeJson(dir, 'policy.json', { principals: [{ oid, roleAssignments: [{ role: 'Reader', scope: '/' }] }] })
    const valid = await token(key, { claims: { oid } })
    const expired = await token(key, { claims: { oid }, expiresIn: -3600 })
    const statuses: number[] = []
    const result = await runApi({ LOG_LEVEL: 'trace', ...jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(key)) }, policy) }, async (url, child) => {
      for (const jwt of [valid, expired]) {
        statuses.push((await fetch(`${url}${clusterPath(sub)}?${CLUSTER_API}`, { headers: bearer(jwt) })).status)
      }
      child.kill('SIGTERM')
    })
    expect(statuses).toEqual([404, 401])
    const signatures = [valid, expired].map((jwt) => jwt.split('.')[2]!)
    for (const signature of signatures) expect(result.stdout + result.stderr).not.toContain(signature)
    expect(result.stdout).toContain('"statusCode":401') // the log did record the requests
  })
})
