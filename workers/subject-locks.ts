// At most one job at a time acts on an extension (or on a cluster, for cluster operations), across every worker
// process: a Postgres session advisory lock per subject, held while the job runs. Session locks die with the
// connection, so a worker killed with SIGKILL releases its subjects the moment Postgres notices the closed socket,
// without waiting for any lease to expire.
//
// One connection per process holds all of that process's locks. Postgres advisory locks are re-entrant within a
// session, so the process also keeps its own set: two local jobs on one subject are refused just like two remote ones.
import pg from 'pg'
import type { Logger } from 'pino'

export type Release = () => Promise<void>

export class SubjectLocks {
  private client: Promise<pg.Client> | null = null
  private readonly held = new Set<string>()
  /** pg queues concurrent queries on one client but deprecates relying on it: run them one after another. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  private connection(): Promise<pg.Client> {
    this.client ??= (async () => {
      const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `arcext-worker-locks:${process.pid}`, connectionTimeoutMillis: 10_000, query_timeout: 10_000 })
      client.on('error', (error) => {
        // The locks went with the session; jobs running now finish unprotected, later ones lock on a new session.
        this.log.warn({ err: error.message }, 'subject-lock connection lost')
        this.client = null
      })
      try {
        await client.connect()
      } catch (error) {
        this.client = null
        throw error
      }
      return client
    })()
    return this.client
  }

  /** Runs `work` on the session after every statement queued before it, and before any queued after it. */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work)
    this.queue = run.catch(() => undefined)
    return run
  }

  private query<T extends pg.QueryResultRow>(client: pg.Client, sql: string, subject: string): Promise<pg.QueryResult<T>> {
    return this.serialised(() => client.query<T>(sql, [subject]))
  }

  /**
   * Runs a statement on the lock session that may take one subject's lock itself (core/store/operation-claim.ts),
   * given the subjects this process holds so it can refuse them. The held set is read when the statement is sent
   * and updated before the next one is, so two local jobs can never both take one subject. Returns the statement's
   * result and the release of the lock it took (a no-op when it took none).
   */
  async lockWithin<T extends { subject: string | null; locked: boolean }>(
    statement: (session: pg.ClientBase, heldSubjects: readonly string[]) => Promise<T>,
  ): Promise<{ result: T; release: Release }> {
    const client = await this.connection()
    let result: T
    try {
      result = await this.serialised(async () => {
        const outcome = await statement(client, [...this.held])
        if (outcome.locked && outcome.subject) this.held.add(outcome.subject)
        return outcome
      })
    } catch (error) {
      // The statement may have taken a lock although its answer never arrived: end the session (see tryAcquire).
      this.resetConnection('locking statement failed')
      throw error
    }
    const subject = result.subject
    return { result, release: result.locked && subject ? this.releaseOf(client, subject) : async () => undefined }
  }

  /** Locks the subject, or returns null when another job (here or in another process) holds it. */
  async tryAcquire(subject: string): Promise<Release | null> {
    if (this.held.has(subject)) return null
    this.held.add(subject)
    let client: pg.Client
    try {
      client = await this.connection()
      const { rows } = await this.query<{ locked: boolean }>(client, 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', subject)
      if (!rows[0]?.locked) {
        this.held.delete(subject)
        return null
      }
    } catch (error) {
      this.held.delete(subject)
      // The lock may have been taken on the server although the answer never arrived (a query timeout): only
      // ending the session guarantees it is not left held, which would block this subject until a restart.
      this.resetConnection('lock query failed')
      throw error
    }
    return this.releaseOf(client, subject)
  }

  private releaseOf(client: pg.Client, subject: string): Release {
    let released = false
    return async () => {
      if (released) return
      released = true
      try {
        await this.query(client, 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', subject)
      } catch (error) {
        // A dead session already dropped the lock; a live one that did not answer is ended so it drops it too.
        this.log.debug({ err: (error as Error).message, subject }, 'advisory unlock failed')
        this.resetConnection('unlock query failed', client)
      } finally {
        this.held.delete(subject)
      }
    }
  }

  /**
   * Ends the session so Postgres drops every lock it holds. Jobs running now finish unprotected (as after a lost
   * connection); new jobs lock on a fresh session.
   */
  private resetConnection(why: string, onlyIfStill?: pg.Client): void {
    const client = this.client
    if (!client) return
    if (onlyIfStill) {
      // A release on a session already replaced failed because that session is gone: the current one is fine.
      void client.then((current) => (current === onlyIfStill ? this.resetConnection(why) : undefined)).catch(() => undefined)
      return
    }
    this.client = null
    this.log.warn({ reason: why }, 'subject-lock session reset')
    void client.then((c) => c.end()).catch(() => undefined)
  }

  async close(): Promise<void> {
    const client = this.client
    this.client = null
    if (client) await (await client.catch(() => null))?.end().catch(() => undefined)
  }
}
