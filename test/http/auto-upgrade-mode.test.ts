// autoUpgradeMode at api-version 2025-03-01: validated in PUT and PATCH, refused where it contradicts
// autoUpgradeMinorVersion or a pinned version, derived where a request sends only one of them (docs/arm-rules.md rule 58).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'
import { FLUX_NEWEST } from '../helpers/shipped-flux.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness
const sub = freshSubscription()
let clusters = 0
const API = 'api-version=2025-03-01'

/** A cluster of its own for each extension: Flux allows one instance per cluster. */
async function freshFluxUrl(): Promise<string> {
  const cluster = `mode-${(clusters += 1)}`
  await registerCluster(h, sub, cluster)
  return `${extensionPath(sub, 'flux', cluster)}?${API}`
}

const flux = (properties: Json) => ({ properties: { extensionType: 'microsoft.flux', ...properties } })

async function settled(url: string): Promise<Json> {
  return (
    await until(
      () => call<Json>(h, 'GET', url),
      (r) => r.body.properties.provisioningState === 'Succeeded',
    )
  ).body
}

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

describe('autoUpgradeMode', () => {
  it.each([['bogus'], [42], [null], [true]])('refuses %j in PUT and PATCH with InvalidRequestContent naming the field', async (value) => {
    const url = await freshFluxUrl()
    const put = await call<Json>(h, 'PUT', url, flux({ autoUpgradeMode: value }))
    expect(put.status).toBe(400)
    expect(put.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'properties.autoUpgradeMode' })
    expect((await call(h, 'GET', url)).status).toBe(404)
    expect((await call(h, 'PUT', url, flux({}))).status).toBe(201)
    await settled(url)
    const patch = await call<Json>(h, 'PATCH', url, { properties: { autoUpgradeMode: value } })
    expect(patch.status).toBe(400)
    expect(patch.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'properties.autoUpgradeMode' })
  })

  it("refuses mode 'none' with autoUpgradeMinorVersion true, and a mode that upgrades with a pinned version", async () => {
    const url = await freshFluxUrl()
    for (const properties of [
      { autoUpgradeMode: 'none', autoUpgradeMinorVersion: true },
      { autoUpgradeMode: 'patch', autoUpgradeMinorVersion: false, version: FLUX_NEWEST },
      { autoUpgradeMode: 'compatible', version: FLUX_NEWEST },
    ]) {
      const refused = await call<Json>(h, 'PUT', url, flux(properties))
      expect(refused.status, JSON.stringify(properties)).toBe(400)
      expect(refused.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'properties.autoUpgradeMode' })
    }
    // A pinned extension cannot be PATCHed to a mode that upgrades unless the PATCH also unpins it.
    expect((await call(h, 'PUT', url, flux({ autoUpgradeMode: 'none', version: FLUX_NEWEST }))).status).toBe(201)
    await settled(url)
    const refused = await call<Json>(h, 'PATCH', url, { properties: { autoUpgradeMode: 'patch' } })
    expect(refused.status).toBe(400)
    expect(refused.body.error.target).toBe('properties.autoUpgradeMode')
    const unpinned = await call<Json>(h, 'PATCH', url, { properties: { autoUpgradeMode: 'patch', version: null } })
    expect(unpinned.status).toBe(202)
    expect(unpinned.body.properties).toMatchObject({ autoUpgradeMode: 'patch', autoUpgradeMinorVersion: true, version: null })
  })

  it("derives the other field when a request sends only one, and echoes what Azure's own example sends", async () => {
    // A mode alone sets autoUpgradeMinorVersion; a pinned version alone (with autoUpgradeMinorVersion false) shows mode none.
    const noneUrl = await freshFluxUrl()
    const none = await call<Json>(h, 'PUT', noneUrl, flux({ autoUpgradeMode: 'none' }))
    expect(none.status).toBe(201)
    expect(none.body.properties).toMatchObject({ autoUpgradeMode: 'none', autoUpgradeMinorVersion: false })
    await settled(noneUrl)
    const back = await call<Json>(h, 'PATCH', noneUrl, { properties: { autoUpgradeMinorVersion: true } })
    expect(back.status).toBe(202)
    expect(back.body.properties).toMatchObject({ autoUpgradeMode: 'compatible', autoUpgradeMinorVersion: true })
    await settled(noneUrl)
    const off = await call<Json>(h, 'PATCH', noneUrl, { properties: { autoUpgradeMode: 'none' } })
    expect(off.body.properties).toMatchObject({ autoUpgradeMode: 'none', autoUpgradeMinorVersion: false })

    const pinnedUrl = await freshFluxUrl()
    const pinned = await call<Json>(h, 'PUT', pinnedUrl, flux({ autoUpgradeMinorVersion: false, version: FLUX_NEWEST }))
    expect(pinned.status).toBe(201)
    expect(pinned.body.properties).toMatchObject({ autoUpgradeMode: 'none', version: FLUX_NEWEST })

    // 2025-03-01 CreateExtension.json sends compatible with autoUpgradeMinorVersion false: accepted and echoed.
    const exampleUrl = await freshFluxUrl()
    const example = await call<Json>(h, 'PUT', exampleUrl, flux({ autoUpgradeMode: 'compatible', autoUpgradeMinorVersion: false }))
    expect(example.status).toBe(201)
    expect(example.body.properties).toMatchObject({ autoUpgradeMode: 'compatible', autoUpgradeMinorVersion: false })
  })

  it("stores the swagger's default compatible when a PUT leaves the mode out, so PATCHing it in is no change", async () => {
    const url = await freshFluxUrl()
    const put = await call<Json>(h, 'PUT', url, flux({ autoUpgradeMode: 'patch' }))
    expect(put.status).toBe(201)
    await settled(url)
    // A PUT replaces: the mode it leaves out takes the default, not the stored patch.
    const replaced = await call<Json>(h, 'PUT', url, flux({ autoUpgradeMinorVersion: false }))
    expect(replaced.status).toBe(200)
    expect(replaced.body.properties).toMatchObject({ autoUpgradeMode: 'compatible', autoUpgradeMinorVersion: false })
    await settled(url)
    const same = await call<Json>(h, 'PATCH', url, { properties: { autoUpgradeMode: 'compatible', autoUpgradeMinorVersion: false } })
    expect(same.status, JSON.stringify(same.body)).toBe(200)
    expect(same.headers.get('azure-asyncoperation')).toBeNull()
  })
})
