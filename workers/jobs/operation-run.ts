// What the runner hands a job besides the operation: when to stop, which attempt this is, and what it acts on.
import type { ClaimedExtension } from '../../core/store/operation-claim.js'
import type { DriverSteps } from '../drivers/driver-steps.js'

export interface OperationRun {
  /** Aborted when the operation is canceled or superseded, runs past its deadline, or the worker shuts down. */
  signal: AbortSignal
  /** 1 for the first attempt. */
  attempt: number
  /** The operation's extension and its cluster as read when the attempt was counted; null when there is none. */
  extension: ClaimedExtension | null
  /** The attempt's driver steps: handed to every driver call, written with the statement that ends the attempt. */
  steps: DriverSteps
}

/**
 * Thrown by a job whose preconditions are not met yet (a conflicting extension is still being uninstalled, the
 * extensions of a cluster being deleted are still going). The job is retried after `retryAfterMs` without using up
 * an attempt; the operation's deadline still bounds the wait.
 */
export class NotReadyError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs = 500,
  ) {
    super(message)
  }
}
