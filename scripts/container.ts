// The container image's one entry point (Dockerfile ENTRYPOINT), so that one image serves every role:
//   api | worker            one half, as `npm run api|worker`
//   start                   api and worker in this one process: the all-in-one emulator (migrations applied first)
//   migrate | keys <cmd>    the one-shot commands of `npm run migrate|keys`
//   healthcheck [role]      Docker's HEALTHCHECK: exit 0 when the role running in the container is healthy
// scripts/run.mjs cannot serve here: it installs and builds, and the image has neither npm's dev tools, tsc nor the
// Prisma CLI. Each role is imported only when asked for, so an api container never loads the worker's modules.
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { loadConfig, type Config } from '../core/config.js'
import { runMain } from '../core/main-process.js'

const ROLES = ['api', 'worker', 'start', 'migrate', 'keys', 'healthcheck'] as const
type Role = (typeof ROLES)[number]

/** The role of the container's main process, read from its command line (PID 1, or the one docker-init runs). */
function runningRole(): Role {
  try {
    const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0')
    const at = args.findIndex((arg) => arg.endsWith('container.js'))
    const role = at >= 0 ? args[at + 1] : undefined
    return ROLES.find((known) => known === role) ?? 'start'
  } catch {
    return 'start'
  }
}

/** An URL on the listener at HOST; a wildcard bind address is no address to connect to, the loopback of its family is. */
function listenerUrl(scheme: string, host: string, port: number, path: string): URL {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return new URL(`${scheme}://${target.includes(':') ? `[${target}]` : target}:${port}${path}`)
}

/** One GET with a deadline; resolves to the status code. */
function get(url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    // The probe talks to this container's own listener, whose certificate may name only the service's public names.
    const request = (url.protocol === 'https:' ? https : http).get(url, { headers, timeout: 4000, rejectUnauthorized: false }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.on('timeout', () => request.destroy(new Error('no answer within 4 s')))
    request.on('error', reject)
  })
}

/**
 * The api (and the all-in-one) is healthy when /readyz says Postgres, Redis and the schema are ready. A worker serves
 * no HTTP unless WORKER_METRICS_PORT is set: then its /metrics must answer; otherwise its services must be reachable.
 */
async function healthcheck(config: Config, role: Role): Promise<string> {
  if (role === 'worker') {
    if (config.workerMetricsPort === null) {
      const { assertServicesReachable } = await import('../core/preflight.js')
      await assertServicesReachable(config)
      return 'worker: Postgres and Redis reachable'
    }
    const url = listenerUrl('http', config.host, config.workerMetricsPort, '/metrics')
    const status = await get(url, {})
    if (status !== 200) throw new Error(`worker metrics at ${url.href} answered ${status}`)
    return `worker: ${url.href} answered 200`
  }
  const url = config.port !== null ? listenerUrl('http', config.host, config.port, '/readyz') : listenerUrl('https', config.host, config.httpsPort!, '/readyz')
  // Any other Host header is refused with 421 (ALLOWED_HOSTS); the first allowed name is one the service answers to.
  const status = await get(url, { host: config.allowedHosts[0] ?? 'localhost' })
  if (status !== 200) throw new Error(`${url.href} answered ${status}`)
  return `${role}: ${url.href} answered 200`
}

async function startAllInOne(): Promise<void> {
  const [{ startApi }, { startWorkerProcess }] = await Promise.all([import('../api/server.js'), import('../workers/worker-process.js')])
  await runMain('start', async () => {
    const config = loadConfig()
    // The worker first: it applies the migrations, and by the time the api answers ready, installs are picked up.
    const worker = await startWorkerProcess(config)
    const api = await startApi(config).catch(async (error: unknown) => {
      await worker.stop()
      throw error
    })
    return {
      async stop() {
        await api.stop()
        await worker.stop()
      },
    }
  })
}

const command = process.argv[2] ?? 'start'
// The one-shot scripts read their own arguments from process.argv.slice(2), as under `npm run keys -- rotate`.
process.argv.splice(2, 1)
switch (command) {
  case 'api':
    await import('../api/main.js')
    break
  case 'worker':
    await import('../workers/main.js')
    break
  case 'start':
    await startAllInOne()
    break
  case 'migrate':
    await import('./migrate.js')
    break
  case 'keys':
    await import('./keys.js')
    break
  case 'healthcheck': {
    const role = ROLES.find((known) => known === process.argv[2]) ?? runningRole()
    try {
      console.log(await healthcheck(loadConfig(), role))
      process.exit(0)
    } catch (error) {
      console.error(`arcext healthcheck: ${(error as Error).message}`)
      process.exit(1)
    }
    break
  }
  default:
    console.error(`arcext: unknown command '${command}' (${ROLES.join(' | ')})`)
    process.exit(2)
}
