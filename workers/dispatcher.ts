// The outbox's second half (the reasoning is atop core/store/outbox.ts). Rows still there after `graceMs` (the api
// crashed between commit and enqueue, Redis did not answer, or the job is still waiting behind others) are handed
// over here. An idle dispatcher sends nothing: it waits on LISTEN (outbox-listener.ts). A row inserted into an empty
// outbox notifies; the pass that schedules looks again for as long as rows are there, each time for when the oldest
// is past its grace period, so inserts into an outbox that is not empty need not notify. A slow safety poll covers
// what a notification can miss: one sent while the listening session was being replaced, or rows whose insert saw
// another row that was gone by the time this dispatcher looked. Any number of workers may run this at once: each
// batch is claimed with FOR UPDATE SKIP LOCKED, and a job delivered twice is a no-op anyway (job id = operation id).
import type { Logger } from 'pino'
import type { Db } from '../core/db/client.js'
import type { OperationQueue } from '../core/queue.js'
import { deliverLeftovers, msUntilOutboxDue } from '../core/store/outbox.js'
import { loggableError } from './error-facts.js'
import { listenForOutbox } from './outbox-listener.js'

export interface DispatcherOptions {
  /** The safety poll: a pass at least this often, notified or not. */
  pollMs: number
  /** Rows younger than this are left to the api's own delivery. */
  graceMs: number
  batchSize: number
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = { pollMs: 5000, graceMs: 1000, batchSize: 200 }

/** Pause before a failed pass (Postgres or Redis away) is tried again. */
const RETRY_MS = 1000

/** Delivers one batch of leftover outbox rows; returns how many rows it handled. */
export function dispatchOutbox(db: Db, queue: OperationQueue, options: Pick<DispatcherOptions, 'graceMs' | 'batchSize'>): Promise<number> {
  return deliverLeftovers(db, queue, options)
}

export function startDispatcher(db: Db, queue: OperationQueue, log: Logger, databaseUrl: string, options: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS): { stop(): Promise<void> } {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let nextPassAt = Infinity
  let running: Promise<void> = Promise.resolve()

  /** Runs a pass in `delayMs`, unless one is already due sooner. */
  const schedule = (delayMs: number) => {
    const at = Date.now() + delayMs
    if (stopped || at >= nextPassAt) return
    clearTimeout(timer)
    nextPassAt = at
    timer = setTimeout(() => {
      nextPassAt = Infinity
      running = running.then(pass)
    }, delayMs)
  }

  const pass = async () => {
    let next = options.pollMs
    try {
      const dueInMs = await msUntilOutboxDue(db, options.graceMs)
      if (dueInMs !== null && dueInMs > 0) {
        // Rows still within their grace period: look again once the oldest is due, at most a few times per period.
        next = Math.min(options.pollMs, Math.max(dueInMs, options.graceMs / 4))
      } else if (dueInMs === 0) {
        const count = await dispatchOutbox(db, queue, options)
        if (count > 0) log.info({ count }, 'handed over outbox rows the api and workers had not cleared')
        // Delivered some: look again at once for more. None (other dispatchers hold them): give those time.
        next = count > 0 ? 0 : Math.min(options.pollMs, RETRY_MS)
      }
    } catch (error) {
      log.warn({ err: loggableError(error) }, 'outbox dispatch failed; will retry')
      next = RETRY_MS
    }
    schedule(next)
  }

  // A notified row is due once its grace period is over; the pass then also finds any older ones.
  const listener = listenForOutbox(databaseUrl, log, () => schedule(options.graceMs))
  schedule(options.pollMs)
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await listener.close()
      await running
    },
  }
}
