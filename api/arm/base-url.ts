// Absolute URLs handed to clients are built from the public address, never the RP's internal one (docs/arm-rules.md rule 15):
// PUBLIC_BASE_URL when set; else the origin of the `referer` ARM sends, if it names a host this service answers to;
// else the request's own scheme and Host (which the request gate has checked against the same allow-list). A
// malformed referer, or one naming any other host, is ignored: it must not steer clients somewhere else.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../core/config.js'

export type BaseUrlConfig = Pick<Config, 'publicBaseUrl' | 'allowedHosts'>

function refererOrigin(referer: string | undefined, allowedHosts: readonly string[]): string | undefined {
  if (!referer) return undefined
  let url: URL
  try {
    url = new URL(referer)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  return allowedHosts.includes(url.hostname) ? url.origin : undefined
}

export function publicBaseUrl(request: FastifyRequest, config: BaseUrlConfig): string {
  if (config.publicBaseUrl) return config.publicBaseUrl
  return refererOrigin(request.headers.referer, config.allowedHosts) ?? `${request.protocol}://${request.host}`
}
