// status: what the service says of itself (GET /) and whether it is ready (GET /readyz); wait-ready: until it is.
import type { Command, Context } from '../context.js'
import { CliError } from '../errors.js'
import { call, request, type Answer } from '../http.js'
import { details, emit } from '../output.js'

interface Landing {
  version: string
  listeners: { http: string; https: string }
  authMode: string
  baseUrl: string
}
interface Readiness {
  status: string
  checks: Record<string, string>
}

const checksLine = (readiness: Readiness) =>
  Object.entries(readiness.checks ?? {})
    .map(([name, state]) => `${name} ${state}`)
    .join(', ')

function readinessOf(answer: Answer): Readiness {
  const body = answer.body as Readiness | undefined
  if ((answer.status !== 200 && answer.status !== 503) || !body?.checks)
    throw new CliError(`GET /readyz answered HTTP ${answer.status}; is ${answer.status === 404 ? 'this arcext' : 'the URL right'}?`)
  return body
}

const status: Command = {
  words: ['status'],
  usage: '',
  summary: 'version, listeners, authentication mode and readiness (Postgres, Redis, migrations); exit 1 when not ready',
  async run(context: Context) {
    const landing = (await call(context.conn, 'GET', '/')).body as Landing
    const readiness = readinessOf(await request(context.conn, 'GET', '/readyz'))
    const ready = readiness.status === 'ready'
    emit(context.format, { ...landing, ready, readiness }, () =>
      details([
        ['arcext', `${landing.version} at ${context.conn.baseUrl.origin}`],
        ['Auth mode', landing.authMode],
        ['Listeners', `http ${landing.listeners.http}, https ${landing.listeners.https}`],
        ['Ready', `${ready ? 'yes' : 'NO'} (${checksLine(readiness)})`],
      ]),
    )
    return ready ? 0 : 1
  },
}

const waitReady: Command = {
  words: ['wait-ready'],
  usage: '[--timeout SECONDS]',
  summary: 'wait until GET /readyz answers 200 (default at most 60 s); exit 1 with the last reason if it does not',
  options: { timeout: { type: 'string' } },
  async run(context: Context) {
    const timeoutSeconds = context.number('timeout', 60)
    const deadline = Date.now() + timeoutSeconds * 1000
    for (;;) {
      let reason: string
      try {
        const readiness = readinessOf(await request(context.conn, 'GET', '/readyz', { timeoutMs: 5000 }))
        if (readiness.status === 'ready') {
          emit(context.format, readiness, () => `ready (${checksLine(readiness)})\n`)
          return 0
        }
        reason = checksLine(readiness)
      } catch (error) {
        if (!(error instanceof CliError)) throw error
        reason = error.message
      }
      if (Date.now() >= deadline) throw new CliError(`not ready after ${timeoutSeconds} s: ${reason}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  },
}

export const statusCommands = [status, waitReady]
