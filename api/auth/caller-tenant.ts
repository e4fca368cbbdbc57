// The caller's tenant, for what Azure fills in from the token: the tenant of subscriptions the front door lists, and
// identity.tenantId of extensions with a system-assigned identity.
import type { FastifyRequest } from 'fastify'
import { decodeJwt } from 'jose'
import type { Config } from '../../core/config.js'
import { isGuid } from '../../core/domain/guid.js'

/** The caller's tenant: the `tid` of its token (verified in jwt mode by then), else AZURE_TENANT_ID. */
export function callerTenant(request: FastifyRequest, config: Pick<Config, 'azureTenantId'>): string {
  const token = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1]
  if (token !== undefined) {
    try {
      const tid = decodeJwt(token).tid
      if (typeof tid === 'string' && isGuid(tid)) return tid.toLowerCase()
    } catch {
      // not a JWT (dev mode accepts any token): the configured tenant
    }
  }
  return config.azureTenantId
}
