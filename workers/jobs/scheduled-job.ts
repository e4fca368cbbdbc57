// A periodic job on a BullMQ job scheduler (the auto-upgrade sweep, the drift observer). The scheduler lives in Redis
// under a fixed id, so any number of worker processes share one schedule and each run is taken by one of them; the
// api never runs timers. An interval of 0 removes the shared schedule: the job is off for every worker on the prefix.
import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import type { Logger } from 'pino'
import { closeBullmq } from '../../core/queue.js'

export interface ScheduledJob {
  queueName: string
  schedulerId: string
  /** The job's name in the queue, and what log lines call it ("auto-upgrade sweep", "drift check"). */
  jobName: string
  what: string
  /** The setting that turns it off, for the log line that says so. */
  offSetting: string
  intervalSeconds: number
  connection: ConnectionOptions
  prefix: string
  log: Logger
  /** One run; its result is kept on the completed job. */
  run(): Promise<object>
}

export async function startScheduledJob(job: ScheduledJob): Promise<{ stop(): Promise<void> }> {
  const { connection, prefix, log } = job
  const schedule = new Queue(job.queueName, { connection, prefix })
  schedule.on('error', (error) => log.warn({ err: error.message }, `${job.what} queue connection error`))
  if (job.intervalSeconds === 0) {
    await schedule.removeJobScheduler(job.schedulerId)
    await closeBullmq(schedule)
    log.info(`${job.what} is off (${job.offSetting}=0)`)
    return { stop: async () => undefined }
  }
  await schedule.upsertJobScheduler(
    job.schedulerId,
    { every: job.intervalSeconds * 1000 },
    // A failed run is not retried: the next one does the same work.
    { name: job.jobName, data: {}, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  )
  // One run at a time per process; what runs racing across processes may do is each job's own concern.
  const worker = new Worker(job.queueName, () => job.run(), { connection, prefix, concurrency: 1 })
  worker.on('error', (error) => log.warn({ err: error.message }, `${job.what} worker connection error`))
  worker.on('failed', (_job, error) => log.error({ err: error.message }, `${job.what} failed; the next run retries`))
  return {
    async stop() {
      await closeBullmq(worker)
      await closeBullmq(schedule)
    },
  }
}
