// reset: the clean slate (POST /admin/reset); token: a bearer token from the built-in authority, for curl and
// for ARCEXT_TOKEN in AUTH_MODE=jwt.
import type { Command } from '../context.js'
import { CliError } from '../errors.js'
import { call } from '../http.js'
import { details, emit } from '../output.js'

/** The client id the CLI signs in as when none is given; in dev mode any id gets a token. */
const CLI_CLIENT_ID = 'a3c5d0e1-0000-4000-8000-0000000ac11e'

const reset: Command = {
  words: ['reset'],
  usage: '--yes',
  summary: 'remove every cluster, extension, operation, queued job, API fault rule and simulated release',
  options: { yes: { type: 'boolean', short: 'y' } },
  async run(context) {
    if (!context.flag('yes')) throw new CliError(`reset empties the instance at ${context.conn.baseUrl.origin}; add --yes to do it`, 2)
    const { removed } = (await call(context.conn, 'POST', '/admin/reset', { json: {} })).body as { removed: Record<string, number> }
    emit(context.format, { removed }, () => `Removed:\n${details(Object.entries(removed).map(([what, count]): [string, unknown] => [`  ${what}`, count]))}`)
  },
}

const token: Command = {
  words: ['token'],
  usage: '[--client-id ID] [--client-secret SECRET]',
  summary: 'print a bearer token of the built-in authority (client credentials; in dev mode any id and secret)',
  options: { 'client-id': { type: 'string' }, 'client-secret': { type: 'string' } },
  async run(context) {
    const clientId = context.string('client-id') ?? (context.env.ARCEXT_CLIENT_ID || CLI_CLIENT_ID)
    const secret = context.string('client-secret') ?? (context.env.ARCEXT_CLIENT_SECRET || 'arcext-cli')
    // The authority issues tokens for the service's own audience: its public base URL, which GET / names.
    const { baseUrl } = (await call(context.conn, 'GET', '/', { anonymous: true })).body as { baseUrl: string }
    const audience = `${baseUrl}/`
    const answer = await call(context.conn, 'POST', '/adfs/oauth2/token', {
      anonymous: true,
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `${audience}.default` },
    })
    const issued = answer.body as { access_token: string; expires_on: number; token_type: string }
    emit(context.format, issued, () => `${issued.access_token}\n`)
  },
}

export const adminCommands = [reset, token]
