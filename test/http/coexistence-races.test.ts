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
})
