// The unmodified official SDK (@azure/arm-kubernetesconfiguration) pointed at a test RP over HTTPS, with every HTTP
// exchange it makes recorded, so tests can say what the SDK sent and prove no answer was a 5xx.
import { readFileSync } from 'node:fs'
import { SourceControlConfigurationClient } from '@azure/arm-kubernetesconfiguration'
import type { Harness } from './harness.js'

export interface SdkExchange {
  method: string
  url: string
  requestHeaders: Record<string, string>
  requestBody: unknown
  status: number
  responseHeaders: Record<string, string>
}

/**
 * A TokenCredential with a fixed token: the RP takes the caller from the token but does not verify it, like any
 * front door that is not Azure AD. Nothing here needs @azure/identity.
 */
function staticTokenCredential(token = 'arcext-test-token') {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) }
}

export interface SdkClient {
  client: SourceControlConfigurationClient
  /** Every attempt the SDK made, retries included, in order. */
  exchanges: SdkExchange[]
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' || body === '') return body ?? undefined
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

/**
 * A client for `subscriptionId` against the harness's HTTPS listener, trusting its self-signed certificate; `token`
 * is the bearer token it sends (AUTH_MODE=jwt suites pass a signed one).
 */
export function sdkClient(harness: Pick<Harness, 'api'>, subscriptionId: string, token?: string): SdkClient {
  const exchanges: SdkExchange[] = []
  const client = new SourceControlConfigurationClient(staticTokenCredential(token), subscriptionId, {
    // $host is where requests go; endpoint only names the token scope. Both are the RP.
    $host: harness.api.httpsUrl,
    endpoint: harness.api.httpsUrl,
    tlsOptions: { ca: readFileSync(harness.api.certFile, 'utf8') },
    additionalPolicies: [
      {
        position: 'perRetry',
        policy: {
          // perRetry: a 5xx the SDK would retry away is still recorded.
          name: 'arcextRecordExchanges',
          async sendRequest(request, next) {
            const response = await next(request)
            exchanges.push({
              method: request.method,
              url: request.url,
              requestHeaders: request.headers.toJSON(),
              requestBody: parseBody(request.body),
              status: response.status,
              responseHeaders: response.headers.toJSON(),
            })
            return response
          },
        },
      },
    ],
  })
  return { client, exchanges }
}
