// The outbox's second half. Every accepted operation has an outbox row written in the transaction that accepted
// it; the api delivers the job right after commit and deletes the row. Rows still there after `graceMs` (the api
// crashed between commit and enqueue, or Redis did not answer) are delivered here. Any number of workers may run
// this at once: each batch is claimed with FOR UPDATE SKIP LOCKED, and a job delivered twice is a no-op anyway
// (job id = operation id).
import type { Logger } from 'pino'
import type { Db } from '../core/db/client.js'
import type { OperationQueue } from '../core/queue.js'
import { deliverLeftovers } from '../core/store/outbox.js'
import { loggableError } from './error-facts.js'

export interface DispatcherOptions {
  pollMs: number
  /** Rows younger than this are left to the api's own delivery. */
  graceMs: number
  batchSize: number
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = { pollMs: 250, graceMs: 1000, batchSize: 200 }

/** Delivers one batch of leftover outbox rows; returns how many. */
export function dispatchOutbox(db: Db, queue: OperationQueue, options: Pick<DispatcherOptions, 'graceMs' | 'batchSize'>): Promise<number> {
  return deliverLeftovers(db, queue, options)
}

export function startDispatcher(db: Db, queue: OperationQueue, log: Logger, options: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS): { stop(): Promise<void> } {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const pass = async () => {
    let delay = options.pollMs
    try {
      const count = await dispatchOutbox(db, queue, options)
      if (count > 0) log.info({ count }, 'delivered operations the api had not delivered')
      // A full batch means more are waiting: go again at once.
      if (count === options.batchSize) delay = 0
    } catch (error) {
      log.warn({ err: loggableError(error) }, 'outbox dispatch failed; will retry')
      delay = Math.max(options.pollMs, 1000)
    }
    if (!stopped)
      timer = setTimeout(() => {
        running = pass()
      }, delay)
  }
  timer = setTimeout(() => {
    running = pass()
  }, options.pollMs)
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
