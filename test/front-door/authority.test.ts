// The built-in authority at /adfs over real HTTP, in dev mode (anyone gets a token for the principal they name) and in
// jwt mode (only principals with credentials in the policy file, and arcext accepts its own tokens beside the
// configured issuer's).
import { randomUUID } from 'node:crypto'
import { statSync } from 'node:fs'
import path from 'node:path'
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../core/config.js'
import { AccessPolicy } from '../../api/auth/policy.js'
import { DEV_MANAGED_IDENTITY_CLIENT_ID } from '../../api/auth/authority/sign-in.js'
import { call, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { bearer, jwks, jwtEnv, signingKey, tempDir, token, writeJson, type SigningKey } from '../auth/support.js'
import { postForm, secretHash } from './support.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const AZ_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const SUBSCRIPTIONS = 'api-version=2019-11-01'

describe('dev mode', () => {
  let h: Harness
  let audience: string
  beforeAll(async () => {
    h = await startHarness({ worker: false })
    audience = `${h.baseUrl}/`
  })
  afterAll(async () => h?.close())

  it('publishes its discovery document and keys, with the key kept private in DATA_DIR', async () => {
    const discovery = await call<Json>(h, 'GET', '/adfs/.well-known/openid-configuration')
    expect(discovery.body).toMatchObject({ issuer: `${h.baseUrl}/adfs`, token_endpoint: `${h.baseUrl}/adfs/oauth2/token`, jwks_uri: `${h.baseUrl}/adfs/discovery/keys` })
    const keys = await call<Json>(h, 'GET', '/adfs/discovery/keys')
    expect(keys.body.keys).toHaveLength(1)
    expect(keys.body.keys[0]).not.toHaveProperty('d')
    expect(statSync(path.join(h.config.dataDir, 'authority', 'signing-key.json')).mode & 0o777).toBe(0o600)
  })

  it('issues a client_credentials token for the application named, verifiable with its keys', async () => {
    const clientId = randomUUID()
    const answer = await postForm(`${h.baseUrl}/adfs/oauth2/token`, { grant_type: 'client_credentials', client_id: clientId, client_secret: 'anything', scope: `${audience}.default` })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 })
    const keySet = createLocalJWKSet((await call<Json>(h, 'GET', '/adfs/discovery/keys')).body as Parameters<typeof createLocalJWKSet>[0])
    const { payload } = await jwtVerify(String(answer.body.access_token), keySet, { issuer: `${h.baseUrl}/adfs`, audience })
    expect(payload).toMatchObject({ appid: clientId, tid: h.config.azureTenantId, idtyp: 'app' })
    expect(payload.oid).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers a password grant with the id_token and client_info MSAL reads', async () => {
    const answer = await postForm(`${h.baseUrl}/adfs/oauth2/token`, {
      grant_type: 'password',
      client_id: AZ_CLIENT_ID,
      username: 'ada@contoso.com',
      password: 'pw',
      scope: `${audience}/.default offline_access openid profile`,
    })
    expect(answer.status).toBe(200)
    // MSAL files the token under the scopes the answer names and looks it up by the ones it asked for.
    expect(answer.body.scope).toBe(`${audience}/.default`)
    expect(decodeJwt(String(answer.body.access_token))).toMatchObject({ upn: 'ada@contoso.com', appid: AZ_CLIENT_ID, idtyp: 'user' })
    const idToken = decodeJwt(String(answer.body.id_token))
    expect(idToken).toMatchObject({ aud: AZ_CLIENT_ID, preferred_username: 'ada@contoso.com', tid: h.config.azureTenantId })
    expect(JSON.parse(Buffer.from(String(answer.body.client_info), 'base64url').toString())).toEqual({ uid: idToken.oid, utid: h.config.azureTenantId })
  })

  it('refuses other audiences, other grants and incomplete requests in OAuth terms', async () => {
    const endpoint = `${h.baseUrl}/adfs/oauth2/token`
    const foreign = await postForm(endpoint, { grant_type: 'client_credentials', client_id: 'a', client_secret: 'b', scope: 'https://management.azure.com/.default' })
    expect(foreign).toMatchObject({ status: 400, body: { error: 'invalid_scope' } })
    expect(await postForm(endpoint, { grant_type: 'authorization_code', scope: `${audience}.default` })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } })
    expect(await postForm(endpoint, { grant_type: 'client_credentials', client_id: 'a', scope: `${audience}.default` })).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    expect(await postForm(endpoint, {})).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const basic = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` })
    const form = { grant_type: 'client_credentials', scope: `${audience}.default` }
    expect(await postForm(endpoint, form, basic('%zz:secret'))).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    expect(decodeJwt(String((await postForm(endpoint, form, basic('my%20app:secret'))).body.access_token)).appid).toBe('my app')
    const json = await call<Json>(h, 'POST', '/adfs/oauth2/token', { grant_type: 'client_credentials' })
    expect(json.status).toBe(415)
  })

  it('serves managed-identity tokens MSI_ENDPOINT-style, only with Metadata: true', async () => {
    const endpoint = `${h.baseUrl}/adfs/managed-identity/token`
    const noHeader = await postForm(endpoint, { resource: audience })
    expect(noHeader.status).toBe(400)
    const answer = await postForm(endpoint, { resource: audience }, { metadata: 'true' })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ token_type: 'Bearer', resource: audience, expires_on: expect.stringMatching(/^\d+$/) })
    expect(decodeJwt(String(answer.body.access_token))).toMatchObject({ appid: DEV_MANAGED_IDENTITY_CLIENT_ID, tid: h.config.azureTenantId })
    const remote = await h.api.app.inject({
      method: 'POST',
      url: '/adfs/managed-identity/token',
      headers: { host: new URL(h.baseUrl).host, metadata: 'true', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ resource: audience }).toString(),
      remoteAddress: '192.0.2.10',
    })
    expect(remote.statusCode).toBe(403)
    expect(remote.json()).toMatchObject({ error: { code: 'AuthorizationFailed' } })
  })
})

describe('jwt mode', () => {
  let h: Harness
  let foreignKey: SigningKey
  const subscription = randomUUID()
  const other = randomUUID()
  const app = { id: randomUUID(), secret: `s-${randomUUID()}` }
  const user = { oid: randomUUID(), name: 'grace@contoso.com', password: `p-${randomUUID()}` }
  const identity = randomUUID()
  const owner = randomUUID()

  beforeAll(async () => {
    foreignKey = await signingKey('ES256')
    const dir = tempDir()
    const policy = {
      principals: [
        { appid: app.id, credentials: { secretHash: secretHash(app.secret) }, roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${subscription}` }] },
        {
          oid: user.oid,
          credentials: { userName: user.name, secretHash: secretHash(user.password) },
          roleAssignments: [{ role: 'Reader', scope: `/subscriptions/${subscription}/resourceGroups/rg1` }],
        },
        { appid: identity, credentials: { managedIdentity: true }, roleAssignments: [{ role: 'Reader', scope: `/subscriptions/${other}` }] },
        { oid: owner, roleAssignments: [{ role: 'Owner', scope: '/' }] },
      ],
    }
    h = await startHarness({ worker: false, env: jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(foreignKey)) }, writeJson(dir, 'policy.json', policy)) })
    await registerCluster(h, subscription, 'c1', { headers: bearer(await token(foreignKey, { claims: { oid: owner } })) })
  })
  afterAll(async () => h?.close())

  const clientToken = async (clientId: string, secret: string) =>
    postForm(`${h.baseUrl}/adfs/oauth2/token`, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `${h.baseUrl}/.default` })

  it('issues tokens only for credentials in the policy, and the token lists what the principal may use', async () => {
    expect(await clientToken(app.id, 'wrong')).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    expect(await clientToken(randomUUID(), app.secret)).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    const issued = await clientToken(app.id.toUpperCase(), app.secret)
    expect(issued.status).toBe(200)
    const auth = bearer(String(issued.body.access_token))
    const list = await call<Json>(h, 'GET', `/subscriptions?${SUBSCRIPTIONS}`, undefined, auth)
    expect(list.body.value.map((s: Json) => s.subscriptionId)).toEqual([subscription])
    expect((await call<Json>(h, 'GET', `/subscriptions/${other}?${SUBSCRIPTIONS}`, undefined, auth)).body.error.code).toBe('SubscriptionNotFound')
    const clusters = await call<Json>(h, 'GET', `/subscriptions/${subscription}/providers/Microsoft.Kubernetes/connectedClusters?api-version=2024-01-01`, undefined, auth)
    expect(clusters.body.value.map((c: Json) => c.name)).toEqual(['c1'])
  })

  it('signs users in with their password and managed identities by client id', async () => {
    const endpoint = `${h.baseUrl}/adfs/oauth2/token`
    const form = { grant_type: 'password', client_id: AZ_CLIENT_ID, username: user.name, scope: `${h.baseUrl}/.default openid` }
    expect(await postForm(endpoint, { ...form, password: 'wrong' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    const signedIn = await postForm(endpoint, { ...form, password: user.password })
    expect(decodeJwt(String(signedIn.body.access_token))).toMatchObject({ oid: user.oid, upn: user.name })
    const groups = await call<Json>(h, 'GET', `/subscriptions/${subscription}/resourceGroups?api-version=2022-09-01`, undefined, bearer(String(signedIn.body.access_token)))
    expect(groups.body.value.map((g: Json) => g.name)).toEqual(['rg1'])

    const msi = await postForm(`${h.baseUrl}/adfs/managed-identity/token`, { resource: `${h.baseUrl}/` }, { metadata: 'true' })
    expect(decodeJwt(String(msi.body.access_token))).toMatchObject({ appid: identity })
    const listed = await call<Json>(h, 'GET', `/subscriptions?${SUBSCRIPTIONS}`, undefined, bearer(String(msi.body.access_token)))
    expect(listed.body.value.map((s: Json) => s.subscriptionId)).toEqual([other])
    expect((await postForm(`${h.baseUrl}/adfs/managed-identity/token`, { resource: `${h.baseUrl}/`, client_id: app.id }, { metadata: 'true' })).status).toBe(400)
  })

  it('accepts its own tokens only where they were issued, beside the configured issuer', async () => {
    const issued = await clientToken(app.id, app.secret)
    const elsewhere = h.baseUrl.replace('127.0.0.1', 'localhost')
    const refused = await call<Json>(h, 'GET', `${elsewhere}/subscriptions?${SUBSCRIPTIONS}`, undefined, bearer(String(issued.body.access_token)))
    expect(refused.status).toBe(401)
    expect(refused.body.error.code).toBe('InvalidAuthenticationToken')
    const configured = await call<Json>(h, 'GET', `/subscriptions?${SUBSCRIPTIONS}`, undefined, bearer(await token(foreignKey, { claims: { oid: owner } })))
    expect(configured.body.value.map((s: Json) => s.subscriptionId)).toContain(subscription)
  })

  it('refuses credentials a principal cannot use', () => {
    const dir = tempDir()
    const load = (principal: Json) => () => AccessPolicy.load(writeJson(dir, `${randomUUID()}.json`, { principals: [{ ...principal, roleAssignments: [] }] }))
    expect(load({ group: randomUUID(), credentials: { secretHash: secretHash('x') } })).toThrow(ConfigError)
    expect(load({ oid: randomUUID(), credentials: { secretHash: secretHash('x') } })).toThrow(/userName and secretHash/)
    expect(load({ appid: randomUUID(), credentials: { secretHash: 'plain-text' } })).toThrow(ConfigError)
    expect(load({ appid: randomUUID(), credentials: {} })).toThrow(/managed identity/)
  })
})
