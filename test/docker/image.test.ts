// The image's runtime stage rebuilt on this machine, which has no Docker engine, from the Dockerfile itself: the build
// context is the checkout minus .dockerignore; the build stage's RUN lines run in a copy of it (its `npm ci` replaced by
// this checkout's node_modules, installed from the same lockfile); the deps stage's RUN lines run as written; the
// runtime stage's COPY lines assemble /app. That tree is then run the way the image runs it, as a user that owns none
// of it: migrate, api and worker as two processes through the healthchecks and the CI smoke lifecycle, then `start`
// (the all-in-one emulator) over HTTPS with its generated certificate. A file the runtime needs but no COPY line
// brings, or a dependency only devDependencies provide, fails here.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parse } from 'yaml'
import { repoRoot } from '../../core/paths.js'
import { dockerignore, readDockerfile, type Stage } from '../helpers/dockerfile.js'
import { deleteKeysWithPrefix, dropDatabase, siblingDatabaseUrl } from '../helpers/isolation.js'
import { freePort } from '../../scripts/free-port.js'

const run = promisify(execFile)
const work = mkdtempSync(path.join(os.tmpdir(), 'arcext-image-'))
chmodSync(work, 0o755)
const dirs = { context: path.join(work, 'context'), build: path.join(work, 'build'), deps: path.join(work, 'deps'), app: path.join(work, 'app'), data: path.join(work, 'data') }
/** As root, the tree runs as nobody (the image's node user is another unprivileged uid); otherwise as this user. */
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}

const stages = readDockerfile()
const stage = (name: string | undefined): Stage => stages.find((candidate) => candidate.name === name)!
const runtime = stages.at(-1)!
const databaseUrl = siblingDatabaseUrl(inject('databaseUrl'), 'image')
const queuePrefix = `${inject('queuePrefixBase')}-image`

/** The image's WORKDIR and the directory standing in for it. */
function inStage(dir: string, stage: Stage, target: string): string {
  const workdir = stage.instructions.find((instruction) => instruction.op === 'WORKDIR')!.text
  const absolute = path.posix.resolve(workdir, target)
  if (absolute !== workdir && !absolute.startsWith(`${workdir}/`)) throw new Error(`${target} is outside WORKDIR ${workdir}; the image test only maps WORKDIR`)
  return path.join(dir, path.posix.relative(workdir, absolute))
}

function copyInto(stageDir: string, into: Stage, args: string[], from: string | undefined): void {
  const sources = args.slice(0, -1)
  const dest = args.at(-1)!
  for (const source of sources) {
    const origin = from === undefined ? path.join(dirs.context, source) : inStage(dirs[from as 'build' | 'deps'], stage(from), source)
    if (!existsSync(origin)) throw new Error(`COPY ${from ? `--from=${from} ` : ''}${source}: not there`)
    const target = inStage(stageDir, into, dest)
    // Docker copies a directory's contents into dest, and a file into dest/ when dest ends with a slash.
    const file = !statSync(origin).isDirectory()
    const destination = file && (dest.endsWith('/') || sources.length > 1) ? path.join(target, path.basename(source)) : target
    mkdirSync(path.dirname(destination), { recursive: true })
    cpSync(origin, destination, { recursive: true, verbatimSymlinks: true })
  }
}

async function sh(command: string, cwd: string): Promise<void> {
  await run('sh', ['-c', command], { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_ENV: '' } })
}

/** Runs one stage's COPY and RUN lines into `dir`; `instead` answers for RUN lines this machine does differently. */
async function buildStage(name: string, dir: string, instead: (command: string) => boolean): Promise<void> {
  mkdirSync(dir, { recursive: true })
  for (const instruction of stage(name).instructions) {
    if (instruction.op === 'COPY') copyInto(dir, stage(name), instruction.args, instruction.flags.from)
    else if (instruction.op === 'RUN' && !instead(instruction.text)) await sh(instruction.text, dir)
  }
}

/** The runtime stage's ENV, with DATA_DIR moved to this run's directory and HOST to the loopback (tests bind no other). */
function imageEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const instruction of runtime.instructions.filter((i) => i.op === 'ENV')) {
    for (const pair of instruction.args) {
      const [name, value] = pair.split('=')
      env[name!] = value!
    }
  }
  expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', DATA_DIR: '/data' })
  const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: { api: { environment: Record<string, string> } } }
  const tlsSans = /^\$\{TLS_SANS:-(.*)\}$/.exec(compose.services.api.environment.TLS_SANS!)![1]!
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...env,
    DATA_DIR: dirs.data,
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: queuePrefix,
    TLS_SANS: tlsSans,
    RETRY_AFTER_SECONDS: '1',
    LOG_LEVEL: 'info',
    ...extra,
  }
}

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** `docker run <image> <args>`: the ENTRYPOINT and the args, in /app, as the unprivileged user. */
function container(args: string[], env: Record<string, string>): Started {
  const entrypoint = runtime.instructions.find((i) => i.op === 'ENTRYPOINT')!.args
  const child = spawn(entrypoint[0] === 'node' ? process.execPath : entrypoint[0]!, [...entrypoint.slice(1), ...args], { cwd: dirs.app, env, ...asUser, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function runToEnd(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const started = container(args, env)
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 60_000)
  const code = await started.exited
  clearTimeout(timer)
  return { code, output: started.output() }
}

async function waitReady(url: string, process: Started): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const response = await fetch(url).catch(() => null)
    if (response?.status === 200) return
    if (process.child.exitCode !== null) throw new Error(`exited before ready:\n${process.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${url} not ready within 60 s:\n${process.output()}`)
}

async function stop(started: Started): Promise<number | null> {
  if (started.child.exitCode === null) started.child.kill('SIGTERM')
  return started.exited
}

async function smoke(baseUrl: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run('bash', [path.join(repoRoot, 'scripts', 'smoke.sh'), baseUrl], { env: { PATH: process.env.PATH ?? '', SMOKE_TIMEOUT_SECONDS: '30', ...env }, timeout: 90_000 })
  return stdout
}

beforeAll(async () => {
  const ignored = dockerignore()
  cpSync(repoRoot, dirs.context, { recursive: true, filter: (source) => !ignored(path.relative(repoRoot, source)) || source === repoRoot })
  await buildStage('build', dirs.build, (command) => {
    if (!/^npm ci --ignore-scripts\b/.test(command)) return false
    // This checkout's node_modules was installed from the same package-lock.json (scripts/run.mjs keeps the stamp).
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dirs.build, 'node_modules'), 'dir')
    return true
  })
  await buildStage('deps', dirs.deps, () => false)
  mkdirSync(dirs.app)
  for (const instruction of runtime.instructions) {
    if (instruction.op === 'COPY') copyInto(dirs.app, runtime, instruction.args, instruction.flags.from)
    // The one RUN line makes /data writable for the node user; here that is the data directory below.
    else if (instruction.op === 'RUN') expect(instruction.text).toBe('mkdir -p /data && chown node:node /data')
  }
  mkdirSync(dirs.data)
  if (asUser.uid !== undefined) chownSync(dirs.data, asUser.uid, asUser.gid)
}, 300_000)

afterAll(async () => {
  await dropDatabase(databaseUrl).catch(() => undefined)
  await deleteKeysWithPrefix(inject('redisUrl'), queuePrefix)
  rmSync(work, { recursive: true, force: true })
})

describe('the image built from the Dockerfile', () => {
  it('holds production dependencies only, each the lockfile asks for, with the Prisma runtime cut to PostgreSQL', () => {
    const modules = path.join(dirs.app, 'node_modules')
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> }
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(path.join(modules, name, 'package.json')), name).toBe(true)
    // Type packages aside (@prisma/adapter-pg depends on @types/pg, which brings @types/node), no dev tool is there.
    const devTools = Object.keys(pkg.devDependencies).filter((name) => !name.startsWith('@types/'))
    for (const name of [...devTools, 'effect', '@prisma/engines']) expect(existsSync(path.join(modules, name)), name).toBe(false)
    const runtimeFiles = readdirSync(path.join(modules, '@prisma', 'client', 'runtime'))
    expect(runtimeFiles.filter((file) => /sqlite|mysql|sqlserver|cockroach|query_engine/.test(file))).toEqual([])
    expect(runtimeFiles).toContain('query_compiler_bg.postgresql.wasm-base64.mjs')
    // No sources or build leftovers: compiled code, the migrations, the catalog and package.json.
    expect(readdirSync(dirs.app).sort()).toEqual(['core', 'dist', 'node_modules', 'package.json', 'prisma'])
    expect(existsSync(path.join(dirs.app, 'dist', 'api', 'main.ts'))).toBe(false)
  })

  it('keeps node_modules under 90 MB', async () => {
    const { stdout } = await run('du', ['-sm', path.join(dirs.app, 'node_modules')])
    expect(Number(stdout.split('\t')[0])).toBeLessThan(90)
  })

  it('migrates, then runs api and worker as two containers through their healthchecks and the CI smoke lifecycle', async () => {
    const ports = { PORT: String(await freePort()), HTTPS_PORT: String(await freePort()), WORKER_METRICS_PORT: String(await freePort()) }
    const env = imageEnv({ ...ports, ENCRYPTION_KEY: inject('encryptionKey') })
    const migrated = await runToEnd(['migrate'], env)
    expect(migrated.output).toMatch(/arcext migrate: .* is up to date \(applied /)
    expect(migrated.code).toBe(0)

    const api = container(['api'], env)
    const worker = container(['worker'], env)
    try {
      const base = `http://127.0.0.1:${ports.PORT}`
      await waitReady(`${base}/readyz`, api)
      expect(await runToEnd(['healthcheck', 'api'], env)).toEqual({ code: 0, output: `api: ${base}/readyz answered 200\n` })
      await waitReady(`http://127.0.0.1:${ports.WORKER_METRICS_PORT}/metrics`, worker)
      expect((await runToEnd(['healthcheck', 'worker'], env)).code).toBe(0)
      // Swagger UI's page and assets come from node_modules, the document from the compiled schemas.
      const docs = await fetch(`${base}/docs/`)
      expect(docs.status).toBe(200)
      expect(await docs.text()).toContain('swagger-ui')
      expect((await fetch(`${base}/docs/static/swagger-ui-bundle.js`)).status).toBe(200)
      expect(((await (await fetch(`${base}/openapi.json`)).json()) as { paths: object }).paths).not.toEqual({})
      expect(((await (await fetch(`${base}/`, { headers: { accept: 'application/json' } })).json()) as { version: string }).version).toBe(
        (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version,
      )
      expect(await smoke(base)).toMatch(/smoke: PASSED\n$/)
    } finally {
      expect(await stop(api)).toBe(0)
      expect(await stop(worker)).toBe(0)
    }
    const down = await runToEnd(['healthcheck', 'api'], env)
    expect(down.code).toBe(1)
    expect(down.output).toMatch(/^arcext healthcheck: .*ECONNREFUSED.*\n$/)
  }, 180_000)

  it('runs api and worker in one container with `start`, over HTTPS with a certificate for the compose names', async () => {
    const ports = { PORT: 'off', HTTPS_PORT: String(await freePort()) }
    const env = imageEnv({ ...ports, ENCRYPTION_KEY: inject('encryptionKey') })
    const emulator = container(['start'], env)
    try {
      const certFile = path.join(dirs.data, 'tls', 'cert.pem')
      const deadline = Date.now() + 60_000
      while (!existsSync(certFile) && emulator.child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250))
      const names = new X509Certificate(readFileSync(certFile)).subjectAltName!
      expect(names.split(', ')).toEqual(expect.arrayContaining(['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:api', 'DNS:emulator']))
      // The healthcheck with no role finds none on this machine's PID 1, and checks the all-in-one, as `start` is the default.
      let health = await runToEnd(['healthcheck'], env)
      for (let tries = 0; health.code !== 0 && tries < 120; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        health = await runToEnd(['healthcheck'], env)
      }
      expect(health).toEqual({ code: 0, output: `start: https://127.0.0.1:${ports.HTTPS_PORT}/readyz answered 200\n` })
      expect(await smoke(`https://127.0.0.1:${ports.HTTPS_PORT}`, { ARCEXT_CA: certFile })).toMatch(/smoke: PASSED\n$/)
    } finally {
      expect(await stop(emulator)).toBe(0)
    }
    expect(emulator.output()).toMatch(/arcext worker started/)
    expect(emulator.output()).toMatch(/arcext api listening/)
  }, 180_000)

  it('stops `start` with one line when a service is missing', async () => {
    const result = await runToEnd(['start'], imageEnv({ REDIS_URL: 'redis://127.0.0.1:1' }))
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/^arcext start: cannot start: Redis is not reachable at redis:\/\/127\.0\.0\.1:1 [^\n]*\n$/)
  })

  it('says which commands it knows', async () => {
    const result = await runToEnd(['serve'], imageEnv({}))
    expect(result).toEqual({ code: 2, output: "arcext: unknown command 'serve' (api | worker | start | migrate | keys | healthcheck)\n" })
  })
})
