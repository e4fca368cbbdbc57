// The app as a plugin tree: ARM protocol hooks first, then routes, so a route reads like its resource only.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { ApiServices } from './services.js'
import { registerRequestContext, generateRequestId } from './arm/request-context.js'
import { registerErrorEnvelope, answerClientError, answerRouterError, MAX_PATH_SEGMENT_LENGTH } from './arm/error-envelope.js'
import { registerThrottling } from './arm/throttling.js'
import { registerMetrics } from './plugins/metrics.js'
import { landingRoutes } from './routes/landing.js'
import { createHttpListener } from './listeners.js'
import { registerArmHooks } from './arm/arm-hooks.js'
import { registerAuthentication } from './auth/authentication.js'
import { createAuthorization } from './auth/authorization.js'
import { adminRoutes } from './routes/admin.js'
import { healthRoutes } from './routes/health.js'
import { registerOpenApi } from './plugins/openapi.js'
import { registerResponseStats } from './plugins/response-stats.js'
import { clusterRoutes } from './routes/clusters.js'
import { extensionRoutes } from './routes/extensions.js'
import { extensionRollbackRoutes } from './routes/extension-rollback.js'
import { extensionTypeRoutes } from './routes/extension-types.js'
import { operationStatusRoutes } from './routes/operation-status.js'
import { clusterOperationRoutes } from './routes/cluster-operations.js'
import { providerOperationRoutes } from './routes/provider-operations.js'
import { frontDoorRoutes } from './routes/front-door/index.js'
import { authorityRoutes } from './auth/authority/routes.js'
import { SCHEMA_OPTIONS, addExampleKeyword, addProblemKeyword } from '../core/json-schema.js'

export async function buildApp(services: ApiServices, options: Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...options,
    // ARM matches paths case-insensitively (docs/arm-rules.md rule 3). Names longer than the router's default 100-character
    // parameter limit are valid ARM names, so the limit is raised and the name rules answer instead.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: MAX_PATH_SEGMENT_LENGTH },
    frameworkErrors: answerRouterError,
    clientErrorHandler: answerClientError,
    genReqId: generateRequestId,
    requestIdHeader: false,
    bodyLimit: 4 * 1024 * 1024,
    // The plain listener gets the request gate and the limits the HTTPS one has (api/listeners.ts).
    serverFactory: (handler) => createHttpListener(services.config, handler),
    // Request bodies and core's own documents are validated alike; core's schemas carry `x-problem` wording hints.
    ajv: { customOptions: SCHEMA_OPTIONS, plugins: [addProblemKeyword, addExampleKeyword] },
  }) as unknown as FastifyInstance
  app.decorate('services', services)
  // ARM bodies are JSON only; anything else is 415, not a string the schema then rejects.
  app.removeContentTypeParser('text/plain')
  // Responses are built by converters that emit exactly the wire shape; response schemas only document it.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  // Hooks whose work is synchronous take `done` rather than being async: an async hook costs every request a promise
  // and a microtask turn on every route.
  registerRequestContext(app)
  registerResponseStats(app)
  registerMetrics(app)
  registerErrorEnvelope(app)
  const authenticate = registerAuthentication(app, services.config.auth)
  const throttling = registerThrottling(app, services.redis, services.config.queuePrefix, services.config.throttle)
  registerArmHooks(app, { authenticate, authorization: createAuthorization(services.config.auth), throttle: throttling.check })
  await registerOpenApi(app)
  await app.register(healthRoutes)
  await app.register(landingRoutes)
  await app.register(adminRoutes, { resetThrottling: throttling.reset })
  await app.register(clusterRoutes)
  await app.register(extensionRoutes)
  await app.register(extensionRollbackRoutes)
  await app.register(extensionTypeRoutes)
  await app.register(operationStatusRoutes)
  await app.register(clusterOperationRoutes)
  await app.register(providerOperationRoutes)
  await app.register(frontDoorRoutes)
  await app.register(authorityRoutes)
  return app
}
