// The unmodified official Azure SDK against AUTH_MODE=jwt over HTTPS: with a Contributor token it runs an extension
// lifecycle; with a token for another subscription or an expired one it surfaces ARM's 403 / 401 as RestErrors with
// Azure's codes, and does not retry them.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, call, clusterPath, compatibleCluster, startHarness, type Harness } from '../helpers/harness.js'
import { sdkClient } from '../helpers/sdk.js'
import { bearer, jwks, jwtEnv, signingKey, tempDir, token, writeJson, type SigningKey } from './support.js'

let h: Harness
let key: SigningKey
const A = randomUUID()
const B = randomUUID()
const contributorOfA = randomUUID()
const contributorOfB = randomUUID()
const cluster = ['rg1', 'Microsoft.Kubernetes', 'connectedClusters', 'cluster1'] as const

beforeAll(async () => {
  key = await signingKey('ES256')
  const dir = tempDir()
  const policy = writeJson(dir, 'policy.json', {
    principals: [
      { oid: contributorOfA, roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${A}` }] },
      { oid: contributorOfB, roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${B}` }] },
    ],
  })
  h = await startHarness({ env: { ...jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(key)) }, policy), RETRY_AFTER_SECONDS: '1' } })
  const registered = await call(h, 'PUT', `${clusterPath(A)}?${CLUSTER_API}`, compatibleCluster, bearer(await token(key, { claims: { oid: contributorOfA } })))
  expect(registered.status).toBe(201)
})
afterAll(() => h?.close())

/** The SDK's RestError (matched by name: the SDK may load its own copy of @azure/core-rest-pipeline). */
interface RestError {
  name: string
  statusCode?: number
  code?: string
}

async function refusal(promise: Promise<unknown>): Promise<RestError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as RestError,
  )
  expect(error?.name).toBe('RestError')
  return error!
}

describe('official Azure SDK in jwt mode', () => {
  it('runs create, get and list with a Contributor token for the subscription', async () => {
    const { client } = sdkClient(h, A, await token(key, { claims: { oid: contributorOfA, upn: 'sdk@contoso.com' } }))
    const created = await client.extensions.beginCreateAndWait(...cluster, 'dapr', { extensionType: 'microsoft.dapr' }, { updateIntervalInMs: 50 })
    expect(created.provisioningState).toBe('Succeeded')
    expect(created.systemData).toMatchObject({ createdBy: 'sdk@contoso.com', createdByType: 'User' })
    const names: string[] = []
    for await (const extension of client.extensions.list(...cluster)) names.push(extension.name!)
    expect(names).toEqual(['dapr'])
  })

  it('gets 403 AuthorizationFailed for another subscription, once, whether or not the resource exists', async () => {
    const { client, exchanges } = sdkClient(h, A, await token(key, { claims: { oid: contributorOfB } }))
    for (const name of ['dapr', 'missing']) {
      const error = await refusal(client.extensions.get(...cluster, name))
      expect(error.statusCode).toBe(403)
      expect(error.code).toBe('AuthorizationFailed')
    }
    expect(exchanges.map((e) => e.status)).toEqual([403, 403])
  })

  it('gets 401 InvalidAuthenticationToken for an expired token, without retrying', async () => {
    const { client, exchanges } = sdkClient(h, A, await token(key, { claims: { oid: contributorOfA }, expiresIn: -600 }))
    const error = await refusal(client.extensions.get(...cluster, 'dapr'))
    expect(error.statusCode).toBe(401)
    expect(error.code).toBe('InvalidAuthenticationToken')
    expect(exchanges).toHaveLength(1)
  })
})
