// GET /metadata/endpoints: what `az cloud register --endpoint-resource-manager <base>/` reads to learn a cloud's
// authority (authentication.loginEndpoint) and token audience (audiences[0], the cloud's activeDirectoryResourceId).
// Both name arcext itself, so the CLI needs nothing but arcext. The CLI asks `//metadata/endpoints` (its endpoint
// ends in '/'); the request gate (api/arm/request-gate.ts) lets exactly that path through as '/metadata/endpoints'.
import type { FastifyInstance } from 'fastify'
import { publicBaseUrl } from '../../arm/base-url.js'
import { authorityUrls } from '../../auth/authority/own-issuer.js'
import { HIDDEN } from './hidden.js'

export async function metadataEndpointRoutes(app: FastifyInstance): Promise<void> {
  // Before sign-in by nature, like Azure's: it only says where sign-in happens.
  app.get('/metadata/endpoints', { config: { access: { kind: 'public' } }, schema: HIDDEN }, async (request) => {
    const base = publicBaseUrl(request, app.services.config)
    const { issuer, audience } = authorityUrls(base)
    return {
      galleryEndpoint: `${base}/`,
      graphEndpoint: `${base}/`,
      portalEndpoint: `${base}/`,
      authentication: { loginEndpoint: issuer, audiences: [audience] },
    }
  })
}
