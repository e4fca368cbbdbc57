// Absolute URLs handed to clients are built from the public address, never the RP's internal one (ARM-CONTRACT 15).
import type { FastifyRequest } from 'fastify'

export function publicBaseUrl(request: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured
  const referer = request.headers.referer
  if (referer) {
    try {
      return new URL(referer).origin
    } catch {
      // fall through to the request's own address
    }
  }
  return `${request.protocol}://${request.host}`
}
