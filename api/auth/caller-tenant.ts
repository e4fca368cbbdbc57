// The caller's tenant, for what Azure fills in from the token: the tenant of subscriptions the front door lists, and
// identity.tenantId of extensions with a system-assigned identity.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../core/config.js'

/**
 * The `tid` of the caller's token, as authentication read it (verified in jwt mode, decoded in dev mode), else
 * AZURE_TENANT_ID.
 */
export function callerTenant(request: FastifyRequest, config: Pick<Config, 'azureTenantId'>): string {
  return request.auth.principal?.tenantId ?? config.azureTenantId
}
