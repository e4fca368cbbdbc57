// Startup validation of the AUTH_* variables and AUTH_POLICY_FILE: each mistake is one ConfigError line naming it.
import path from 'node:path'
import { writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../core/config.js'
import { AccessPolicy } from '../../api/auth/policy.js'
import { principalFromClaims } from '../../api/auth/principal.js'
import { audienceVariants, createTokenVerifier } from '../../api/auth/token-verifier.js'
import { ArmError } from '../../api/arm/errors.js'
import { signingKey, tempDir, token, writeJson } from './support.js'

const jwt = { AUTH_MODE: 'jwt', AUTH_JWKS_FILE: '/etc/keys.json', AUTH_ISSUER: 'https://sts.example/', AUTH_AUDIENCE: 'api://arcext', AUTH_POLICY_FILE: '/etc/policy.json' }

describe('AUTH_* configuration', () => {
  it('defaults to dev mode', () => {
    expect(loadConfig({}).auth).toMatchObject({ mode: 'dev', devAllowAllInterfaces: false })
  })

  it('reads comma-separated issuers and audiences', () => {
    expect(loadConfig({ ...jwt, AUTH_ISSUER: 'https://a/, https://b/', AUTH_AUDIENCE: 'x,,y ' }).auth).toMatchObject({ issuers: ['https://a/', 'https://b/'], audiences: ['x', 'y'] })
  })

  it.each<[Record<string, string>, RegExp]>([
    [{ AUTH_MODE: 'none' }, /^AUTH_MODE=none is not one of dev, jwt$/],
    [{ AUTH_DEV_ALLOW_ALL_INTERFACES: 'yes' }, /^AUTH_DEV_ALLOW_ALL_INTERFACES=yes is not true or false$/],
    [{ ...jwt, AUTH_JWKS_FILE: '' }, /needs exactly one of AUTH_JWKS_URL .* and AUTH_JWKS_FILE/],
    [{ ...jwt, AUTH_JWKS_URL: 'https://login.example/keys' }, /needs exactly one of AUTH_JWKS_URL/],
    [{ ...jwt, AUTH_JWKS_FILE: '', AUTH_JWKS_URL: 'http://login.example/keys' }, /must be an https URL/],
    [{ ...jwt, AUTH_JWKS_FILE: '', AUTH_JWKS_URL: 'not a url' }, /is not a URL/],
    [{ ...jwt, AUTH_ISSUER: ' , ' }, /needs AUTH_ISSUER/],
    [{ ...jwt, AUTH_AUDIENCE: '' }, /needs AUTH_AUDIENCE/],
    [{ ...jwt, AUTH_POLICY_FILE: '' }, /needs AUTH_POLICY_FILE/],
    [{ ...jwt, AUTH_JWKS_COOLDOWN_SECONDS: '-1' }, /AUTH_JWKS_COOLDOWN_SECONDS=-1/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError)
    expect(() => loadConfig(env)).toThrowError(message)
  })

  it('accepts an http JWKS URL on loopback', () => {
    expect(loadConfig({ ...jwt, AUTH_JWKS_FILE: '', AUTH_JWKS_URL: 'http://127.0.0.1:9000/keys' }).auth.jwksUrl).toBe('http://127.0.0.1:9000/keys')
  })
})

describe('AUTH_POLICY_FILE', () => {
  const sub = randomUUID()
  const load = (document: unknown) => AccessPolicy.load(writeJson(tempDir(), 'policy.json', document))

  it.each<[string, unknown, RegExp]>([
    ['no principals', {}, /\(the document\) must have required property 'principals'$/],
    ['an unknown top-level property', { principals: [], roles: [] }, /has the property 'roles', which is not allowed$/],
    ['an unknown role', { principals: [{ oid: 'o', roleAssignments: [{ role: 'Admin', scope: '/' }] }] }, /\/principals\/0\/roleAssignments\/0\/role must be one of Reader, Contributor, Owner$/],
    ['a principal without an id', { principals: [{ roleAssignments: [] }] }, /\/principals\/0 must name exactly one of oid, appid, group$/],
    ['a principal with two ids', { principals: [{ oid: 'o', group: 'g', roleAssignments: [] }] }, /\/principals\/0 must name exactly one of oid, appid, group$/],
    [
      'a scope that is a resource',
      { principals: [{ oid: 'o', roleAssignments: [{ role: 'Reader', scope: `/subscriptions/${sub}/resourceGroups/rg/providers/x` }] }] },
      /roleAssignments\/0\/scope .* is not "\/"/,
    ],
    ['a subscription that is not a GUID', { principals: [{ oid: 'o', roleAssignments: [{ role: 'Reader', scope: '/subscriptions/prod' }] }] }, /scope '\/subscriptions\/prod' is not/],
    ['a missing scope', { principals: [{ appid: 'a', roleAssignments: [{ role: 'Reader' }] }] }, /\/principals\/0\/roleAssignments\/0 must have required property 'scope'$/],
  ])('refuses %s in one line', (_name, document, message) => {
    let error: unknown
    try {
      load(document)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(/^AUTH_POLICY_FILE=.*policy\.json: /)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain('\n')
  })

  it('refuses a file that is not JSON', () => {
    const file = path.join(tempDir(), 'policy.json')
    writeFileSync(file, 'principals: []')
    expect(() => AccessPolicy.load(file)).toThrowError(/cannot be read as JSON/)
  })

  it('matches principals by oid, appid or azp, and groups, case-insensitively', () => {
    const policy = load({
      principals: [
        { oid: 'AA', roleAssignments: [{ role: 'Reader', scope: '/' }] },
        { appid: 'bb', roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${sub.toUpperCase()}` }] },
        { group: 'cc', roleAssignments: [{ role: 'Owner', scope: `/subscriptions/${sub}/resourceGroups/RG` }] },
      ],
    })
    const roles = (claims: Record<string, unknown>) => policy.assignmentsFor(principalFromClaims(claims)).map((a) => [a.role, a.scope])
    expect(roles({ oid: 'aa' })).toEqual([['Reader', {}]])
    expect(roles({ azp: 'BB' })).toEqual([['Contributor', { subscription: sub }]])
    expect(roles({ oid: 'zz', groups: ['x', 'CC'] })).toEqual([['Owner', { subscription: sub, resourceGroup: 'rg' }]])
    expect(roles({ oid: 'zz', groups: 'cc' })).toEqual([])
  })
})

describe('token verifier', () => {
  it('answers 503, not 401, when the JWKS endpoint cannot be reached (the token may be fine)', async () => {
    const key = await signingKey('RS256')
    const verify = createTokenVerifier(loadConfig({ ...jwt, AUTH_JWKS_FILE: '', AUTH_JWKS_URL: 'http://127.0.0.1:1/keys' }).auth)
    const error = await verify(await token(key, { issuer: jwt.AUTH_ISSUER, audience: jwt.AUTH_AUDIENCE })).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ArmError)
    expect(error).toMatchObject({ statusCode: 503, code: 'ServiceUnavailable', message: expect.stringContaining('AUTH_JWKS_URL') })
  })

  it('refuses a JWKS file that is not a key set at start', () => {
    const file = writeJson(tempDir(), 'jwks.json', { keys: 'none' })
    expect(() => createTokenVerifier(loadConfig({ ...jwt, AUTH_JWKS_FILE: file }).auth)).toThrowError(/^AUTH_JWKS_FILE=.* is not a readable JSON Web Key Set/)
  })

  it('compares audiences with and without a trailing slash', () => {
    expect(audienceVariants(['https://management.azure.com/', 'api://arcext'])).toEqual(['https://management.azure.com', 'https://management.azure.com/', 'api://arcext', 'api://arcext/'])
  })
})
