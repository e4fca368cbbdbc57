// Waiting on work that takes no AbortSignal (BullMQ adds, ioredis round trips, a driver that ignores its signal):
// the wait can end early, the work itself cannot. The one place such a wait is written; deadlines are
// AbortSignal.timeout(ms), so no caller keeps a timer of its own.

/**
 * Settles like `work`, unless `signal` aborts first: then rejects with `reason()` (default: the signal's reason).
 * A rejection of `work` after that is absorbed, so abandoning it never becomes an unhandled rejection.
 */
export function waitUnlessAborted<T>(work: Promise<T>, signal: AbortSignal, reason: () => unknown = () => signal.reason): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason())
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
