// The built-in authority at /adfs (README: Using the Azure CLI): OpenID discovery, the OAuth token endpoint for
// client_credentials and password grants, the JWKS its tokens verify against, and a managed-identity endpoint in the
// MSI_ENDPOINT style (`az login --identity`). Token requests are forms, and their errors are OAuth's, which MSAL reads.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ArmErrors, OAuthError, OAuthErrors } from '../../arm/errors.js'
import { isLoopbackAddress } from '../loopback.js'
import { ownIssuer, type OwnIssuer } from './own-issuer.js'
import { createSignIn } from './sign-in.js'
import { accessToken, clientInfo, idToken, TOKEN_LIFETIME_SECONDS, type TokenSubject } from './tokens.js'
import { HIDDEN } from '../../routes/front-door/hidden.js'

type Form = Record<string, string | undefined>

const FORM_LIMIT_BYTES = 16 * 1024
const OPENID_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email'])
const publicRoute = { config: { access: { kind: 'public' } }, schema: HIDDEN } as const

/**
 * The audience a token request names (v2 `scope=<resource>/.default`, or v1 `resource`), checked to be ours; returns
 * the resource scopes as requested, which the answer echoes so MSAL files the token under the scopes it will look up.
 */
function requestedScopes(form: Form, own: OwnIssuer): string {
  const scopes = (form.scope ?? '').split(/\s+/).filter((scope) => scope !== '' && !OPENID_SCOPES.has(scope))
  const resources = scopes.map((scope) => scope.replace(/\.default$/, ''))
  if (form.resource !== undefined) resources.push(form.resource)
  const ours = own.audience.replace(/\/+$/, '')
  if (resources.length === 0 || resources.some((resource) => resource.replace(/\/+$/, '') !== ours)) throw OAuthErrors.invalidScope(own.audience)
  return scopes.join(' ')
}

/** client_secret_post, or client_secret_basic (RFC 6749 2.3.1: both parts form-encoded). */
function clientCredentialsOf(request: FastifyRequest, form: Form): { clientId: string | undefined; secret: string | undefined } {
  const basic = /^Basic +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  if (basic !== undefined) {
    const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':', 2)
    try {
      return { clientId: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') }
    } catch {
      throw OAuthErrors.invalidRequest("The 'Authorization: Basic' credentials are not form-encoded client_id:client_secret.")
    }
  }
  return { clientId: form.client_id, secret: form.client_secret }
}

function required(form: Form, name: string): string {
  const value = form[name]
  if (value === undefined || value === '') throw OAuthErrors.invalidRequest(`The parameter '${name}' is required.`)
  return value
}

export async function authorityRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app.services
  const signIn = createSignIn(config.auth)
  const tenantId = config.azureTenantId

  // Only this plugin's routes take forms, and they take nothing else (OAuth 2.0 3.2); ARM routes stay JSON-only.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof OAuthError) return reply.code(error.statusCode).header('cache-control', 'no-store').send(error.toBody())
    throw error
  })

  const answerTokens = (reply: FastifyReply, body: Record<string, unknown>) => reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body)

  app.get('/adfs/.well-known/openid-configuration', publicRoute, async (request) => {
    const own = await ownIssuer(request, config)
    return {
      issuer: own.issuer,
      // MSAL requires an authorization endpoint in the document; interactive sign-in is not offered (README).
      authorization_endpoint: `${own.issuer}/oauth2/authorize`,
      token_endpoint: `${own.issuer}/oauth2/token`,
      jwks_uri: `${own.issuer}/discovery/keys`,
      response_types_supported: ['token'],
      grant_types_supported: ['client_credentials', 'password'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [own.key.publicJwk.alg],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      scopes_supported: ['openid', 'profile', 'offline_access'],
      claims_supported: ['aud', 'iss', 'iat', 'nbf', 'exp', 'tid', 'oid', 'sub', 'appid', 'upn', 'idtyp'],
    }
  })

  app.get('/adfs/discovery/keys', publicRoute, async (request) => ({ keys: [(await ownIssuer(request, config)).key.publicJwk] }))

  app.post<{ Body: Form | undefined }>('/adfs/oauth2/token', publicRoute, async (request, reply) => {
    const form = request.body ?? {}
    const own = await ownIssuer(request, config)
    const grantType = required(form, 'grant_type')
    if (grantType !== 'client_credentials' && grantType !== 'password') throw OAuthErrors.unsupportedGrantType(grantType)
    const scope = requestedScopes(form, own)
    if (grantType === 'client_credentials') {
      const { clientId, secret } = clientCredentialsOf(request, form)
      if (!clientId || !secret) throw OAuthErrors.invalidRequest("client_credentials needs 'client_id' and 'client_secret'.")
      const subject = await signIn.clientCredentials(clientId, secret)
      const issued = await accessToken(own, tenantId, subject)
      return answerTokens(reply, { ...tokenAnswer(issued, own), ...(scope ? { scope } : {}) })
    }
    const clientId = required(form, 'client_id')
    const subject: TokenSubject = await signIn.password(clientId, required(form, 'username'), required(form, 'password'))
    const issued = await accessToken(own, tenantId, subject)
    return answerTokens(reply, {
      ...tokenAnswer(issued, own),
      ...(scope ? { scope } : {}),
      id_token: await idToken(own, tenantId, subject, clientId),
      client_info: clientInfo(tenantId, subject),
    })
  })

  // Azure's MSI_ENDPOINT contract: a form POST with `resource` (and optionally the identity's client_id) and the
  // header `Metadata: true`, which a browser cannot send without a preflight, from this machine only.
  app.post<{ Body: Form | undefined }>('/adfs/managed-identity/token', publicRoute, async (request, reply) => {
    if (!isLoopbackAddress(request.socket.remoteAddress)) throw ArmErrors.managedIdentityNotLoopback()
    if (request.headers.metadata !== 'true') throw ArmErrors.managedIdentityMetadataMissing()
    const form = request.body ?? {}
    const own = await ownIssuer(request, config)
    requestedScopes({ resource: required(form, 'resource') }, own)
    if (form.object_id !== undefined || form.msi_res_id !== undefined) throw OAuthErrors.invalidRequest('Managed identities are named here by client_id only.')
    const subject = signIn.managedIdentity(form.client_id)
    if (!subject) throw OAuthErrors.invalidRequest('No managed identity with that client_id is configured (README: Using the Azure CLI).')
    const issued = await accessToken(own, tenantId, subject)
    return answerTokens(reply, { access_token: issued.token, expires_on: String(issued.expiresOn), token_type: 'Bearer', resource: form.resource, client_id: subject.appId })
  })
}

function tokenAnswer(issued: { token: string; expiresOn: number }, own: OwnIssuer): Record<string, unknown> {
  return {
    token_type: 'Bearer',
    access_token: issued.token,
    expires_in: TOKEN_LIFETIME_SECONDS,
    ext_expires_in: TOKEN_LIFETIME_SECONDS,
    expires_on: issued.expiresOn,
    resource: own.audience,
  }
}
