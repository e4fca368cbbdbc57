// Bursts of concurrent writes are answered with 2xx or a 4xx the caller can act on, never a 5xx, and racing
// writes to one extension never both win (docs/arm-rules.md rule 48).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, startHarness, type Harness, APIM_SETTINGS } from '../helpers/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ worker: false })
})
afterAll(() => h?.close())

describe('concurrent writes', () => {
  it('accepts 60 simultaneous creates of different extensions on one cluster', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const puts = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(h, 'PUT', `${extensionPath(sub, `apim-${i}`)}?${EXTENSION_API}`, {
          properties: { extensionType: 'microsoft.apimanagement', scope: { namespace: { targetNamespace: `ns-${i}` } }, ...APIM_SETTINGS },
        }),
      ),
    )
    expect(puts.map((p) => p.status)).toEqual(puts.map(() => 201))
  })

  it('lets exactly one of 20 simultaneous creates of the same extension win', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const puts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call<{ error?: { code: string } }>(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux', configurationSettings: { n: String(i) } } }),
      ),
    )
    expect(puts.filter((p) => p.status === 201)).toHaveLength(1)
    for (const loser of puts.filter((p) => p.status !== 201)) {
      expect(loser.status).toBe(409)
      expect(loser.body.error!.code).toBe('AnotherOperationInProgress')
    }
  })
})
