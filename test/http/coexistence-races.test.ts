// Creates that the catalog's coexistence rules forbid together never both win, however they race: an accepted
// create checks the extensions on its cluster in the call that writes, after taking the cluster lock that serialises
// creates (core/store/extensions.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, compatibleCluster, extensionPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ worker: false })
})
afterAll(() => h?.close())

type Answer = { status: number; body: { error?: { code: string } } }

async function racingCreates(sub: string, creates: { name: string; extensionType: string }[]): Promise<Answer[]> {
  return Promise.all(creates.map(({ name, extensionType }) => call<{ error?: { code: string } }>(h, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, { properties: { extensionType } })))
}

function expectOneWinner(answers: Answer[], refusals: string[]): void {
  expect(answers.filter((a) => a.status === 201)).toHaveLength(1)
  for (const loser of answers.filter((a) => a.status !== 201)) {
    expect(loser.status).toBe(409)
    expect(refusals).toContain(loser.body.error?.code)
  }
}

describe('racing creates the coexistence rules forbid together', () => {
  it('accepts exactly one of types that conflict with each other', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub, 'cluster1', { body: { ...compatibleCluster, properties: { ...compatibleCluster.properties, distribution: 'aks' } } })
    const types = ['microsoft.web.appservice', 'microsoft.app.environment']
    const answers = await racingCreates(
      sub,
      Array.from({ length: 12 }, (_, i) => ({ name: `ext-${i}`, extensionType: types[i % 2]! })),
    )
    expectOneWinner(answers, ['ConflictingExtension', 'MultipleInstancesNotAllowed'])
  })

  it('accepts exactly one instance of a single-instance type under different names', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const answers = await racingCreates(
      sub,
      Array.from({ length: 12 }, (_, i) => ({ name: `flux-${i}`, extensionType: 'microsoft.flux' })),
    )
    expectOneWinner(answers, ['MultipleInstancesNotAllowed'])
  })

  it('accepts exactly one of them also once the api knows the cluster (creates judged without a read)', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    expect((await call(h, 'PUT', `${extensionPath(sub, 'monitor')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.azuremonitor.containers' } })).status).toBe(201)
    const answers = await racingCreates(
      sub,
      Array.from({ length: 12 }, (_, i) => ({ name: `flux-${i}`, extensionType: 'microsoft.flux' })),
    )
    expectOneWinner(answers, ['MultipleInstancesNotAllowed'])
  })
})

describe('a create on a cluster the api judged before', () => {
  it('is judged again against the registration as it is when the cluster changed since', async () => {
    const sub = freshSubscription()
    const aks = { ...compatibleCluster, properties: { ...compatibleCluster.properties, distribution: 'aks' } }
    const environment = (name: string) => call<{ error?: { code: string } }>(h, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.app.environment' } })
    await registerCluster(h, sub, 'cluster1', { body: aks })
    expect((await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    await registerCluster(h, sub) // the same cluster, now k3s, which Container Apps do not run on
    const refused = await environment('environment')
    expect(refused.status, JSON.stringify(refused.body)).toBe(400)
    await registerCluster(h, sub, 'cluster1', { body: aks })
    expect((await environment('environment')).status).toBe(201)
  })
})
