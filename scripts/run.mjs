#!/usr/bin/env node
// The one entry point behind `npm start`, `npm test`, `npm run api|worker|migrate|keys|fuzz|bench`. On a fresh clone it installs
// from the lockfile (when node_modules is missing or older than package-lock.json), generates the Prisma client
// offline, builds, and then runs the requested command. Plain JavaScript so it runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { setInterval } from 'node:timers'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const command = process.argv[2] ?? 'start'
const extraArgs = process.argv.slice(3)
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function digest(...files) {
  const hash = createHash('sha256')
  for (const file of files) hash.update(existsSync(file) ? readFileSync(file) : '')
  return hash.digest('hex')
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options })
  if (result.status !== 0) {
    console.error(`arcext: '${[cmd, ...args].join(' ')}' failed`)
    process.exit(result.status ?? 1)
  }
}

/** Install from the lockfile when node_modules is missing or was installed from another lockfile. */
function ensureDependencies() {
  const stamp = path.join(root, 'node_modules', '.arcext-lock-digest')
  const wanted = digest(path.join(root, 'package-lock.json'))
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return
  console.error('arcext: installing dependencies from package-lock.json (npm ci)')
  run(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'])
  writeFileSync(stamp, wanted)
}

/** Generate the Prisma client when the schema (or the installed Prisma) changed; offline, see scripts/prisma.mjs. */
function ensurePrismaClient() {
  const out = path.join(root, 'core', 'db', 'generated')
  const stamp = path.join(out, '.schema-digest')
  const wanted = digest(path.join(root, 'prisma', 'schema.prisma'), path.join(root, 'package-lock.json'))
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return
  run(process.execPath, [path.join(root, 'scripts', 'prisma.mjs'), 'generate'], { stdio: ['ignore', 'ignore', 'inherit'] })
  mkdirSync(out, { recursive: true })
  writeFileSync(stamp, wanted)
}

function build() {
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'])
}

/**
 * Runs independent commands at once, each one's output held back and printed whole when it ends (so interleaved
 * lines never mix), and exits with the first failure's status once all have ended.
 */
async function runAll(commands) {
  const results = await Promise.all(
    commands.map(
      ([cmd, args]) =>
        new Promise((resolve) => {
          const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
          const output = []
          for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (text) => output.push(text))
          child.on('error', (error) => resolve({ cmd, args, status: 1, output: [`${error.message}\n`] }))
          child.on('close', (status) => resolve({ cmd, args, status: status ?? 1, output }))
        }),
    ),
  )
  for (const { output } of results) process.stderr.write(output.join(''))
  const failed = results.find(({ status }) => status !== 0)
  if (failed) {
    console.error(`arcext: '${[failed.cmd, ...failed.args].join(' ')}' failed`)
    process.exit(failed.status)
  }
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name)
/** What the formatter owns: the code, not data, documents or generated files (.prettierignore). */
const FORMATTED = ['**/*.{ts,mjs,js}']

/**
 * Runs several long-lived children as one process tree: a signal stops all; one dying stops the rest. `services`
 * (private PostgreSQL and Redis, scripts/private-services.mjs) are stopped last, once the children that use them
 * have exited, each with its own signal.
 */
function supervise(children, services = []) {
  const procs = children.map(({ name, args }) => {
    // The IPC channel is how a child learns that this supervisor is gone, even if it was SIGKILLed (core/main-process.ts).
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: process.env })
    child.on('exit', (code, signal) => {
      child.exited = true
      if (!stopping) {
        console.error(`arcext: ${name} exited (${signal ?? code}); stopping the others`)
        stopAll('SIGTERM', code ?? 1)
      } else stopServicesOnceChildrenExited()
    })
    return child
  })
  for (const service of services) {
    service.child.on('exit', (code, signal) => {
      service.exited = true
      if (!stopping) {
        console.error(`arcext: the private ${service.name} exited (${signal ?? code}); stopping the others`)
        stopAll('SIGTERM', 1)
      } else stopServicesOnceChildrenExited()
    })
  }
  let stopping = false
  let exitCode = 0
  function stopServicesOnceChildrenExited() {
    if (!procs.every((p) => p.exited)) return
    for (const service of services) {
      if (service.exited || service.signalled) continue
      service.signalled = true
      service.child.kill(service.stopSignal)
    }
    if (services.every((service) => service.exited)) process.exit(exitCode)
  }
  function stopAll(signal, code) {
    if (stopping) return
    stopping = true
    exitCode = code
    for (const child of procs) if (!child.exited) child.kill(signal)
    stopServicesOnceChildrenExited()
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal, 0))
  // npm does not pass a SIGTERM on to its script (\`npm start & kill $!\`): when the process that started this one
  // exits, this one is re-parented, and stops its children as if it had been signalled.
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) stopAll('SIGTERM', 0)
  }, 500).unref()
}

/** Private PostgreSQL/Redis when the configured local ones are not running; stopped on any exit of this process. */
async function privateServices() {
  const { startPrivateServices, PrivateServiceError } = await import('./private-services.mjs')
  try {
    const services = await startPrivateServices(process.env, root)
    process.on('exit', () => {
      for (const service of services) if (!service.exited) service.child.kill(service.stopSignal)
    })
    return services
  } catch (error) {
    if (!(error instanceof PrivateServiceError)) throw error
    console.error(`arcext: cannot start: ${error.message}`)
    process.exit(1)
  }
}

ensureDependencies()
ensurePrismaClient()

const entry = (file) => path.join(root, 'dist', file)
/** node's arguments for a long-running role: the heap limits (core/heap-limits.ts, built just before), then its entry. */
const roleArgs = async (file) => {
  const { heapLimitFlags } = await import(pathToFileURL(entry('core/heap-limits.js')).href)
  return [...heapLimitFlags(), entry(file)]
}
switch (command) {
  case 'start': {
    build()
    const services = await privateServices()
    run(process.execPath, [entry('scripts/migrate.js')])
    supervise(
      [
        { name: 'api', args: await roleArgs('api/main.js') },
        { name: 'worker', args: await roleArgs('workers/main.js') },
      ],
      services,
    )
    break
  }
  case 'api':
  case 'worker':
    build()
    supervise([{ name: command, args: await roleArgs(command === 'api' ? 'api/main.js' : 'workers/main.js') }])
    break
  case 'migrate':
    build()
    run(process.execPath, [entry('scripts/migrate.js')])
    break
  case 'keys':
    build()
    run(process.execPath, [entry('scripts/keys.js'), ...extraArgs])
    break
  case 'test':
    // The static checks, side by side: formatting (.prettierrc.json; `npm run format` applies it, with the same file
    // list), type-aware lint, types, and unused files, exports and dependencies (knip.jsonc).
    await runAll([
      [bin('prettier'), ['--check', '--log-level', 'warn', ...FORMATTED]],
      [bin('eslint'), ['.']],
      [process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit']],
      [bin('knip'), ['--no-progress']],
    ])
    // Named files or options run as given (npm run test:chaos); otherwise the fast project, then the slow one
    // (vitest.config.ts), so a failure among the fast suites is reported without waiting for the slow ones.
    if (extraArgs.length > 0) run(bin('vitest'), ['run', ...extraArgs])
    else for (const project of ['fast', 'slow']) run(bin('vitest'), ['run', '--project', project])
    break
  case 'bench':
    // npm run bench -- [--quick] [--seconds S] ...: its own database and processes (scripts/bench/main.ts).
    build()
    run(process.execPath, [entry('scripts/bench/main.js'), ...extraArgs])
    break
  case 'fuzz': {
    // npm run fuzz -- --seconds N --seed S: the fuzz suite of npm test, for longer or from another seed.
    const option = (name, fallback) => {
      const index = extraArgs.indexOf(`--${name}`)
      const value = index >= 0 ? extraArgs[index + 1] : fallback
      if (!/^\d+$/.test(String(value))) {
        console.error(`arcext: --${name} needs a whole number (npm run fuzz -- --seconds N --seed S)`)
        process.exit(2)
      }
      return String(value)
    }
    const seconds = option('seconds', '60')
    const seed = option('seed', String(Date.now() % 2 ** 31))
    console.error(`arcext: fuzzing for ${seconds} s from seed ${seed}`)
    run(bin('vitest'), ['run', 'test/fuzz/'], { env: { ...process.env, ARCEXT_FUZZ_SECONDS: seconds, ARCEXT_FUZZ_SEED: seed } })
    break
  }
  default:
    console.error(`arcext: unknown command '${command}' (start | api | worker | migrate | keys | test | fuzz | bench)`)
    process.exit(2)
}
