// waitUnlessAborted: the one wait on work that takes no AbortSignal (enqueue deadline, shutdown phases, forced
// uninstall limit, the runner's deadline, the throttling round trip).
import { describe, expect, it } from 'vitest'
import { waitUnlessAborted } from '../../core/abortable-wait.js'

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))

describe('waitUnlessAborted', () => {
  it('settles like the work when it finishes first, value or error', async () => {
    expect(await waitUnlessAborted(later(5, 'done'), AbortSignal.timeout(1000))).toBe('done')
    await expect(waitUnlessAborted(Promise.reject(new Error('broke')), AbortSignal.timeout(1000))).rejects.toThrow('broke')
  })

  it('rejects with the signal’s reason, or the given one, once the signal aborts first', async () => {
    const timeout = AbortSignal.timeout(20)
    await expect(waitUnlessAborted(later(10_000, 'late'), timeout)).rejects.toMatchObject({ name: 'TimeoutError' })
    await expect(waitUnlessAborted(later(10_000, 'late'), AbortSignal.timeout(20), () => new Error('too slow'))).rejects.toThrow('too slow')
  })

  it('rejects at once for a signal that is already aborted', async () => {
    const reason = new Error('stopped')
    await expect(waitUnlessAborted(later(10_000, 'late'), AbortSignal.abort(reason))).rejects.toBe(reason)
  })

  it('absorbs a rejection of work it stopped waiting for', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const work = new Promise((_, reject) => setTimeout(() => reject(new Error('failed after the wait ended')), 30))
      await expect(waitUnlessAborted(work, AbortSignal.timeout(5))).rejects.toMatchObject({ name: 'TimeoutError' })
      await later(60, null)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
