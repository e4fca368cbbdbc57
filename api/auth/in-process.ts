// Requests the api sends itself (SEED_FILE, api/seed/) go through the same routes as a client's, with `app.inject`,
// so a seeded resource is judged and stored exactly as one sent over HTTP. They run inside this async context, which
// no request arriving on a socket can enter: it is what lets them pass authorization and throttling as the operator
// who configured the process, in every AUTH_MODE, without any credential that could leak.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Principal } from './principal.js'

const context = new AsyncLocalStorage<Principal>()

/** Runs `work` as `principal`: every request it injects into the app is that principal's, with every permission. */
export function asInProcessOperator<T>(principal: Principal, work: () => Promise<T>): Promise<T> {
  return context.run(principal, work)
}

/** The principal of an in-process request, or undefined for a request from the network. */
export function inProcessOperator(): Principal | undefined {
  return context.getStore()
}
