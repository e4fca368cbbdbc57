// Every log line of a request carries the ids a caller quotes in a support case (docs/arm-rules.md rule 12): the correlation
// id (sent or generated) and the client request id, on routed requests and on those no route answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

const lines: Record<string, unknown>[] = []
let h: Harness
beforeAll(async () => {
  h = await startHarness({ worker: false, env: { LOG_LEVEL: 'info' }, logDestination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } })
})
afterAll(() => h?.close())

function linesOf(requestId: string | null): Record<string, unknown>[] {
  return lines.filter((line) => line.reqId === requestId)
}

describe('request log lines', () => {
  it('carry the correlation and client request ids the caller sent', async () => {
    const headers = { 'x-ms-correlation-request-id': 'corr-sent-1', 'x-ms-client-request-id': 'client-1' }
    const get = await call(h, 'GET', `${extensionPath(freshSubscription(), 'flux')}?${EXTENSION_API}`, undefined, headers)
    expect(get.status).toBe(404)
    const logged = linesOf(get.headers.get('x-ms-request-id'))
    expect(logged.length).toBeGreaterThan(0)
    for (const line of logged) expect(line).toMatchObject({ correlationId: 'corr-sent-1', clientRequestId: 'client-1' })
  })

  it('carry the generated correlation id the response names, also when no route matches', async () => {
    const miss = await call(h, 'GET', '/no/such/route')
    expect(miss.status).toBe(404)
    const logged = linesOf(miss.headers.get('x-ms-request-id'))
    expect(logged.length).toBeGreaterThan(0)
    for (const line of logged) expect(line.correlationId).toBe(miss.headers.get('x-ms-correlation-request-id'))
  })

  it('carry the operation id once a request has started one, the completion line included', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)
    const operationId = new URL(put.headers.get('azure-asyncoperation')!).pathname.split('/').pop()
    const completed = linesOf(put.headers.get('x-ms-request-id')).find((line) => line.msg === 'request completed')
    expect(completed).toMatchObject({ operationId, correlationId: put.headers.get('x-ms-correlation-request-id') })
  })

  it('leave out health probes unless LOG_LEVEL is debug or trace', async () => {
    const probe = await call(h, 'GET', '/healthz')
    expect(probe.status).toBe(200)
    expect(linesOf(probe.headers.get('x-ms-request-id'))).toEqual([])
  })
})
