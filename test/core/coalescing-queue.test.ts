// The api's deliveries asked for in one turn of the event loop reach Redis as one addBulk, and every caller is told
// the outcome of the batch that holds its jobs.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { CoalescingOperationQueue, redisConnection } from '../../core/queue.js'

let queue: CoalescingOperationQueue
let bulks: string[][]
beforeAll(() => {
  queue = new CoalescingOperationQueue(redisConnection(inject('redisUrl')), `${inject('queuePrefixBase')}-${randomUUID().slice(0, 8)}`)
  const addBulk = queue.queue.addBulk.bind(queue.queue)
  queue.queue.addBulk = (jobs) => {
    bulks.push(jobs.map((job) => job.opts?.jobId ?? ''))
    return addBulk(jobs)
  }
})
afterAll(async () => {
  await queue.queue.obliterate({ force: true })
  await queue.close()
})

const op = () => ({ id: randomUUID(), kind: 'extension.install' as const })

describe('CoalescingOperationQueue', () => {
  it('sends the jobs asked for in one turn in one addBulk, and those asked for later in the next', async () => {
    bulks = []
    const [a, b, c] = [op(), op(), op()]
    await Promise.all([queue.enqueueMany([a]), queue.enqueueMany([b, c]), queue.enqueueMany([])])
    const d = op()
    await queue.enqueueMany([d])
    expect(bulks).toEqual([[a.id, b.id, c.id], [d.id]])
    expect(await Promise.all([a, b, c, d].map((o) => queue.queue.getJobState(o.id)))).toEqual(['waiting', 'waiting', 'waiting', 'waiting'])
  })

  it('keeps one job for an operation delivered twice', async () => {
    bulks = []
    const a = op()
    await Promise.all([queue.enqueueMany([a]), queue.enqueueMany([a])])
    await queue.enqueueMany([a])
    expect(bulks).toEqual([[a.id, a.id], [a.id]])
    expect((await queue.queue.getJobs(['waiting'])).filter((job) => job.id === a.id)).toHaveLength(1)
  })

  it('tells every caller of a batch that it failed, and sends the next batch anyway', async () => {
    bulks = []
    const addBulk = queue.queue.addBulk
    queue.queue.addBulk = () => Promise.reject(new Error('redis is away'))
    const failed = [queue.enqueueMany([op()]), queue.enqueueMany([op()])]
    await expect(Promise.all(failed)).rejects.toThrow('redis is away')
    await expect(failed[1]).rejects.toThrow('redis is away')
    queue.queue.addBulk = addBulk
    const later = op()
    await queue.enqueueMany([later])
    expect(bulks).toEqual([[later.id]])
  })
})
