// Requests the api sends itself (SEED_FILE, api/seed/) go through the same routes as a client's, with `app.inject`,
// so a seeded resource is judged and stored exactly as one sent over HTTP. They run inside this async context, which
// no request arriving on a socket can enter: it is what lets them pass authorization and throttling as the operator
// who configured the process, in every AUTH_MODE, without any credential that could leak.
import { AsyncLocalStorage } from 'node:async_hooks'
import { Socket } from 'node:net'
import type { FastifyRequest } from 'fastify'
import type { Principal } from './principal.js'

const context = new AsyncLocalStorage<Principal>()

/** Runs `work` as `principal`: every request it injects into the app is that principal's, with every permission. */
export function asInProcessOperator<T>(principal: Principal, work: () => Promise<T>): Promise<T> {
  return context.run(principal, work)
}

/**
 * The principal of an in-process request, or undefined for a request from the network. Both must hold: the async
 * context, and no socket under the request (an injected request has a mock one; every listener's, TLS included, is a
 * net.Socket), so a connection whose callbacks happened to be created inside the context gains nothing.
 */
export function inProcessOperator(request: FastifyRequest): Principal | undefined {
  const principal = context.getStore()
  return principal && !(request.raw.socket instanceof Socket) ? principal : undefined
}
