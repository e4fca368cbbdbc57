// `npm start` on a machine where PostgreSQL or Redis is installed but not running: when DATABASE_URL (REDIS_URL)
// names this machine and nothing listens at its port, a private server is started on exactly that address, with its
// data under DATA_DIR (`postgres/`, `redis/`, logs beside them), and stopped when npm start stops: by the supervisor
// (scripts/run.mjs) after the api and the worker, and by the kernel (setpriv --pdeathsig) if the supervisor is
// killed outright. A server that is running is never touched, so wrong credentials still get preflight's own message
// (core/preflight.ts). With neither a server nor its binaries, one line says what to install. Plain JavaScript: it
// runs from scripts/run.mjs.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/arcext'
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])
const READY_TIMEOUT_MS = 60_000

const INSTALL_HINT = {
  postgres: { name: 'PostgreSQL', debian: 'postgresql', homebrew: 'postgresql@17', variable: 'DATABASE_URL' },
  redis: { name: 'Redis', debian: 'redis-server', homebrew: 'redis', variable: 'REDIS_URL' },
}

export class PrivateServiceError extends Error {}

function tcpReachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** The URL's host and port when it names this machine; undefined for a remote or unparseable one (left to the config checks). */
function localAddress(raw, defaultPort) {
  let url
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  if (!LOOPBACK.has(url.hostname)) return undefined
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '')
  return { url, host, port: Number(url.port || defaultPort) }
}

const isExecutable = (file) => {
  try {
    return statSync(file).isFile() && (statSync(file).mode & 0o111) !== 0
  } catch {
    return false
  }
}

/** Directories that may hold the servers: Debian's versioned PostgreSQL directories (newest first), PATH, Homebrew's. */
function candidateDirectories() {
  const versioned = (root) => {
    try {
      return readdirSync(root)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => path.join(root, version, 'bin'))
    } catch {
      return []
    }
  }
  const homebrew = ['/opt/homebrew/opt', '/usr/local/opt'].flatMap((root) => {
    try {
      return readdirSync(root)
        .filter((name) => /^postgresql(@\d+)?$/.test(name))
        .sort()
        .reverse()
        .map((name) => path.join(root, name, 'bin'))
    } catch {
      return []
    }
  })
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)
  return [...versioned('/usr/lib/postgresql'), ...onPath, ...homebrew, '/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/usr/sbin']
}

/** The first directory holding every one of `programs`. */
function findPrograms(programs, directories = candidateDirectories()) {
  const dir = directories.find((candidate) => programs.every((program) => isExecutable(path.join(candidate, program))))
  return dir && Object.fromEntries(programs.map((program) => [program, path.join(dir, program)]))
}

/**
 * How to run a server program: as root, PostgreSQL refuses to run, so it runs as the `postgres` OS user (which
 * Debian's and most packages create). On Linux, setpriv also makes the kernel send `deathSignal` when the
 * supervisor dies, however it dies.
 */
function command(program, args, { asPostgresUser, deathSignal }) {
  const setpriv = findPrograms(['setpriv'])?.setpriv
  const root = process.getuid?.() === 0
  if (!setpriv) {
    if (root && asPostgresUser) {
      const runuser = findPrograms(['runuser'])?.runuser
      if (!runuser) throw new PrivateServiceError('PostgreSQL refuses to run as root and neither setpriv nor runuser is here to run it as the postgres user; run npm start as another user')
      return [runuser, ['-u', 'postgres', '--', program, ...args]]
    }
    return [program, args]
  }
  const user = root && asPostgresUser ? ['--reuid=postgres', '--regid=postgres', '--init-groups'] : []
  return [setpriv, [...user, ...(deathSignal ? [`--pdeathsig=${deathSignal}`] : []), '--', program, ...args]]
}

function postgresUser() {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) }
  } catch {
    throw new PrivateServiceError('PostgreSQL refuses to run as root and there is no postgres OS user to run it as; create one (useradd --system postgres) or run npm start as another user')
  }
}

/** Root runs PostgreSQL as `postgres`: its directory is theirs, and DATA_DIR (kept private) lets them pass through. */
function prepareForPostgresUser(dataDir, pgDir) {
  if (process.getuid?.() !== 0) return
  const { uid, gid } = postgresUser()
  chmodSync(dataDir, statSync(dataDir).mode | 0o001)
  chownSync(pgDir, uid, gid)
  chmodSync(pgDir, 0o700)
}

function startChild(name, program, args, options, logFile) {
  const [cmd, cmdArgs] = command(program, args, options)
  const log = openSync(logFile, 'a')
  // A process group of its own: Ctrl-C reaches the terminal's group, and the servers must outlive the api and the
  // worker's graceful stop; the supervisor stops them after those (scripts/run.mjs).
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', log, log], detached: true })
  closeSync(log)
  child.on('error', () => undefined)
  return { name, child, stopSignal: options.deathSignal }
}

async function waitUntil(probe, what, child, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new PrivateServiceError(`the private ${what} exited at start (${child.exitCode ?? child.signalCode}); see ${logFile}`)
    if (await probe()) return
    await sleep(100)
  }
  child.kill('SIGKILL')
  throw new PrivateServiceError(`the private ${what} did not come up within ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`)
}

async function startPostgres(address, programs, dataDir) {
  const pgDir = path.join(dataDir, 'postgres')
  const logFile = path.join(dataDir, 'postgres.log')
  const user = decodeURIComponent(address.url.username) || 'postgres'
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    mkdirSync(pgDir, { recursive: true, mode: 0o700 })
    prepareForPostgresUser(dataDir, pgDir)
    const [cmd, args] = command(programs.initdb, ['-D', pgDir, '-U', user, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], { asPostgresUser: true })
    const init = spawnSync(cmd, args, { encoding: 'utf8' })
    if (init.status !== 0) {
      const reason = `${init.stderr ?? ''}${init.error?.message ?? ''}`.trim().split('\n').pop()
      const asRoot = process.getuid?.() === 0 ? ' (as root it runs as the postgres OS user, who must be able to reach DATA_DIR: give every directory above it o+x, or set DATA_DIR elsewhere)' : ''
      throw new PrivateServiceError(`initdb of a private PostgreSQL in ${pgDir} failed: ${reason}${asRoot}`)
    }
  } else {
    prepareForPostgresUser(dataDir, pgDir)
  }
  // TCP only on the URL's address: no Unix socket to clash with a system server's.
  const args = ['-D', pgDir, '-p', String(address.port), '-c', `listen_addresses=${address.host}`, '-c', 'unix_socket_directories=']
  // SIGINT is PostgreSQL's fast shutdown: clients are disconnected rather than waited for.
  const service = startChild('postgres', programs.postgres, args, { asPostgresUser: true, deathSignal: 'SIGINT' }, logFile)
  const pg = (await import('pg')).default
  const ready = async () => {
    const maintenance = new URL(address.url)
    maintenance.pathname = '/postgres'
    const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 1000 })
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => undefined)
    }
  }
  await waitUntil(ready, 'PostgreSQL', service.child, logFile)
  return { ...service, where: shown(pgDir) }
}

async function startRedis(address, programs, dataDir) {
  const redisDir = path.join(dataDir, 'redis')
  const logFile = path.join(dataDir, 'redis.log')
  mkdirSync(redisDir, { recursive: true, mode: 0o700 })
  const password = decodeURIComponent(address.url.password)
  const conf = path.join(redisDir, 'redis.conf')
  // An emulator's queue: nothing saved to disk, so a restart starts with an empty queue (the outbox in Postgres
  // delivers what was not done).
  const lines = [`bind ${address.host}`, `port ${address.port}`, `dir ${JSON.stringify(redisDir)}`, 'save ""', 'appendonly no', 'daemonize no', 'protected-mode yes', 'logfile ""']
  if (password) lines.push(`requirepass ${password}`)
  writeFileSync(conf, `${lines.join('\n')}\n`, { mode: 0o600 })
  const service = startChild('redis', programs['redis-server'], [conf], { asPostgresUser: false, deathSignal: 'SIGTERM' }, logFile)
  const ready = () =>
    new Promise((resolve) => {
      const socket = net.connect({ host: address.host, port: address.port })
      const done = (ok) => {
        socket.destroy()
        resolve(ok)
      }
      socket.setTimeout(1000, () => done(false))
      socket.once('error', () => done(false))
      socket.once('connect', () => socket.write('PING\r\n'))
      // +PONG, or -NOAUTH when a password is set: either way the server answers commands.
      socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(String(data))))
    })
  await waitUntil(ready, 'Redis', service.child, logFile)
  return { ...service, where: shown(redisDir) }
}

/** A path under the working directory as a relative one (`.arcext/postgres`), any other as it is. */
function shown(dir) {
  const relative = path.relative(process.cwd(), dir)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir
}

function redact(url) {
  const copy = new URL(url)
  if (copy.password) copy.password = '***'
  return copy.toString()
}

/**
 * Starts what is missing; returns the started services (`{ name, child, stopSignal }`) for the supervisor to stop.
 * Throws PrivateServiceError with a one-line message when a missing server cannot be started. `directories` is where
 * the server programs are looked for.
 */
export async function startPrivateServices(env, root, { directories = candidateDirectories() } = {}) {
  const dataDir = path.resolve(root, env.DATA_DIR || '.arcext')
  const wanted = []
  const postgres = localAddress(env.DATABASE_URL || DEFAULT_DATABASE_URL, 5432)
  if (postgres && !(await tcpReachable(postgres.host, postgres.port))) wanted.push(['postgres', postgres])
  const redis = env.REDIS_CLUSTER_NODES ? undefined : localAddress(env.REDIS_URL || DEFAULT_REDIS_URL, 6379)
  if (redis && !(await tcpReachable(redis.host, redis.port))) wanted.push(['redis', redis])
  if (!wanted.length) return []

  const programs = { postgres: findPrograms(['initdb', 'postgres'], directories), redis: findPrograms(['redis-server'], directories) }
  const missing = wanted.filter(([name]) => !programs[name])
  if (missing.length) {
    const hints = missing.map(([name]) => INSTALL_HINT[name])
    const where = missing.map(([, address]) => redact(address.url)).join(' or ')
    const which = hints.map((hint) => hint.name).join(' nor ')
    throw new PrivateServiceError(
      `nothing listens at ${where} and ${hints.length > 1 ? `neither ${which} is` : `${which} is not`} installed here; ` +
        `install ${hints.length > 1 ? 'them' : 'it'} (Debian: apt-get install ${hints.map((hint) => hint.debian).join(' ')}; Homebrew: brew install ${hints.map((hint) => hint.homebrew).join(' ')}) ` +
        `and npm start runs ${hints.length > 1 ? 'private ones' : 'a private one'} under DATA_DIR, or run \`docker compose up -d postgres redis\`, or set ${hints.map((hint) => hint.variable).join(' and ')}`,
    )
  }

  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const started = []
  try {
    for (const [name, address] of wanted) {
      started.push(name === 'postgres' ? await startPostgres(address, programs.postgres, dataDir) : await startRedis(address, programs.redis, dataDir))
    }
  } catch (error) {
    for (const service of started) service.child.kill(service.stopSignal)
    throw error
  }
  const described = started.map((service, index) => `${service.name === 'postgres' ? 'PostgreSQL' : 'Redis'} at ${redact(wanted[index][1].url)} (data in ${service.where})`)
  console.error(`arcext: nothing listened there, so npm start runs a private ${described.join(' and a private ')}; ${started.length > 1 ? 'they stop' : 'it stops'} when npm start stops`)
  return started
}
