// The ARM checks every request goes through, one Fastify hook per phase, each check in the order it answers (the
// first to refuse a request is the error the caller sees). One synchronous hook instead of a hook per check: each
// hook costs a turn of Fastify's hook runner, an async one also a promise and a microtask, and each check read the
// route through `request.routeOptions`, a getter that builds a 12-field object on every read (BENCHMARKS.md,
// profile-guided api work). Only authentication may wait (a JWT to verify), and only then is a promise made.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Authenticate } from '../auth/authentication.js'
import type { Authorization } from '../auth/authorization.js'
import { checkApiVersion } from './api-version.js'
import { assertStorableContent } from './content-limits.js'
import { assertBodyPresent, dropContentTypeOfEmptyRequest } from './request-body.js'
import { stampArmContext } from './request-context.js'
import { stampResourceId } from './resource-path.js'
import type { Throttling } from './throttling.js'

/** The matched route's config (its `arm` and `access` declarations, its path as `url`; no `url` when none matched). */
export type RouteConfig = FastifyRequest['routeOptions']['config']

export interface ArmChecks {
  authenticate: Authenticate
  authorization: Authorization
  throttle: Throttling['check']
}

export function registerArmHooks(app: FastifyInstance, { authenticate, authorization, throttle }: ArmChecks): void {
  /** The checks after authentication, which may have had to wait. */
  const afterAuthentication = (request: FastifyRequest, reply: FastifyReply, config: RouteConfig): void => {
    checkApiVersion(request, config)
    authorization.onRequest(request, config)
    dropContentTypeOfEmptyRequest(request)
    throttle?.(request, reply, config)
  }

  // Request ids and correlation, who calls, api-version, may they, what the body is, their budget. A throw here is
  // Fastify's to answer, as a rejected hook is.
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config
    stampArmContext(request, reply)
    const waiting = authenticate(request, config)
    if (!waiting) {
      afterAuthentication(request, reply, config)
      done()
      return
    }
    waiting.then(
      () => {
        try {
          afterAuthentication(request, reply, config)
        } catch (error) {
          done(error as Error)
          return
        }
        done()
      },
      (error: unknown) => done(error as Error),
    )
  })

  // Operator endpoints named in a body, then the body's presence and content, before the route's schema validates it.
  app.addHook('preValidation', (request, reply, done) => {
    const config = request.routeOptions.config
    authorization.preValidation(request, config)
    assertBodyPresent(request)
    assertStorableContent(request)
    done()
  })

  // Last before the handler: the path's names are checked after everything that answers first.
  app.addHook('preHandler', (request, reply, done) => {
    stampResourceId(request, request.routeOptions.config)
    done()
  })
}
