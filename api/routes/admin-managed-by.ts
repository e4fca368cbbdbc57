// PUT /admin/extensions/managed-by: the operator stands in for the Azure service that manages an extension (it sets
// or clears `managedBy`), so a managed extension can exist here and be tested (docs/arm-rules.md rule 60).
// Registered inside adminRoutes, so the same access rules and cross-site check apply.
import type { FastifyInstance } from 'fastify'
import type { RouteAccess } from '../auth/route-access.js'
import { setExtensionManagedBy } from '../../core/store/extension-managed-by.js'
import { ArmErrors } from '../arm/errors.js'

const EXTENSION_SEGMENT = '/providers/microsoft.kubernetesconfiguration/extensions/'

interface Body {
  extensionId: string
  managedBy: string | null
}

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['extensionId', 'managedBy'],
  properties: {
    extensionId: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^/subscriptions/' },
    // An ARM resource id, as Azure's own managing services write it; null clears it.
    managedBy: { type: ['string', 'null'], minLength: 1, maxLength: 2048, pattern: '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/.+[^/]$' },
  },
} as const

/** The cluster an extension id sits under, for the operator's scope in AUTH_MODE=jwt. */
function clusterOf(extensionId: unknown): string | undefined {
  if (typeof extensionId !== 'string') return undefined
  const at = extensionId.toLowerCase().indexOf(EXTENSION_SEGMENT)
  return at > 0 ? extensionId.slice(0, at) : undefined
}

const ACCESS: RouteAccess = { kind: 'operator', cluster: (request) => clusterOf((request.body as Partial<Body> | null)?.extensionId) }

export function managedByRoutes(app: FastifyInstance): void {
  app.put<{ Body: Body }>('/admin/extensions/managed-by', { config: { access: ACCESS }, schema: { hide: true, body: bodySchema } }, async (request) => {
    const { extensionId, managedBy } = request.body
    const updated = await setExtensionManagedBy(app.services.db, extensionId.toLowerCase(), managedBy)
    if (!updated) throw ArmErrors.resourceNotFound('Microsoft.KubernetesConfiguration/extensions', extensionId)
    return { extensionId: updated.resourceId, managedBy }
  })
}
