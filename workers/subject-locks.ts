// At most one job at a time acts on an extension (or on a cluster, for cluster operations), across every worker
// process: a Postgres session advisory lock per subject, held while the job runs. Session locks die with the
// connection, so a worker killed with SIGKILL releases its subjects the moment Postgres notices the closed socket,
// without waiting for any lease to expire.
//
// A few connections per process (lock sessions) hold that process's locks; a lock is released on the session that
// took it. Each session runs one statement at a time, so several let claims and releases of different jobs overlap
// (one session was busy nearly all the time at a hundred operations a second on a loaded machine). Two sessions
// taking one subject at once are kept apart by Postgres itself. Advisory locks are re-entrant within a session,
// so the process also keeps its own set of held subjects: two local jobs on one subject are refused just like two
// remote ones, whichever sessions they use.
import pg from 'pg'
import type { Logger } from 'pino'

export type Release = () => Promise<void>

/** Lock sessions per process unless told otherwise. */
const DEFAULT_SESSIONS = 4

/** Releases of locks one client holds, sent as one statement; `done` settles once they are. */
interface UnlockBatch {
  client: pg.Client
  subjects: string[]
  done: Promise<void>
  settle: (error?: unknown) => void
}

function unlockSubjects(client: pg.ClientBase, subjects: readonly string[]): Promise<unknown> {
  return client.query({ name: 'unlock-subjects', text: 'SELECT pg_advisory_unlock(hashtextextended(s, 0)) FROM unnest($1::text[]) AS s', values: [subjects] })
}

/** One connection that holds locks, running its statements one after another. */
class LockSession {
  private client: Promise<pg.Client> | null = null
  /** pg queues concurrent queries on one client but deprecates relying on it: run them one after another. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Statements queued or running here, for picking the least busy session. */
  pending = 0

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  connection(): Promise<pg.Client> {
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

  /** Runs `work` after every statement queued here before it, and before any queued after it. */
  serialised<T>(work: () => Promise<T>): Promise<T> {
    this.pending += 1
    const run = this.queue.then(work).finally(() => {
      this.pending -= 1
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Releases waiting for their turn on the session, and the client that holds them: they go out together. */
  private unlocking: UnlockBatch | null = null

  /**
   * Releases a subject `client` holds. Releases queue behind the session's statements; those queued together go out
   * as one, and a claim that runs first takes them along (takeUnlocks), so a busy worker sends few statements of
   * their own for them.
   */
  async unlock(client: pg.Client, subject: string): Promise<void> {
    const batch = this.unlocking?.client === client ? this.unlocking : this.newBatch(client)
    batch.subjects.push(subject)
    await batch.done
  }

  private newBatch(client: pg.Client): UnlockBatch {
    let settle: (error?: unknown) => void = () => undefined
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error(String(error))))
    })
    const batch: UnlockBatch = { client, subjects: [], done, settle }
    this.unlocking = batch
    this.serialised(async () => {
      // From here on the batch is sent: later releases start another. Taken along by a claim: nothing left to send.
      if (this.unlocking === batch) this.unlocking = null
      if (batch.subjects.length > 0) await unlockSubjects(client, batch.subjects)
    }).then(
      () => batch.settle(),
      (error: unknown) => batch.settle(error),
    )
    return batch
  }

  /**
   * For a statement about to run on `client` in its turn: the releases queued here and not sent yet, which it takes
   * along. `settle` is called with how that went; their own turn then sends nothing.
   */
  takeUnlocks(client: pg.Client): { subjects: string[]; settle: (error?: unknown) => void } {
    const batch = this.unlocking
    if (!batch || batch.client !== client || batch.subjects.length === 0) return { subjects: [], settle: () => undefined }
    this.unlocking = null
    const subjects = batch.subjects
    batch.subjects = []
    return { subjects, settle: batch.settle }
  }

  /**
   * Ends the session so Postgres drops every lock it holds. Jobs running now finish unprotected (as after a lost
   * connection); new jobs lock on a fresh session. With `onlyIfStill`, only when that client is still the session's
   * (a release on a session already replaced failed because that session is gone: the current one is fine).
   */
  reset(why: string, onlyIfStill?: pg.Client): void {
    const client = this.client
    if (!client) return
    if (onlyIfStill) {
      void client.then((current) => (current === onlyIfStill ? this.reset(why) : undefined)).catch(() => undefined)
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

export class SubjectLocks {
  private readonly sessions: LockSession[]
  private readonly held = new Set<string>()

  constructor(
    databaseUrl: string,
    private readonly log: Logger,
    sessions = DEFAULT_SESSIONS,
  ) {
    this.sessions = Array.from({ length: Math.max(1, sessions) }, () => new LockSession(databaseUrl, log))
  }

  private leastBusy(): LockSession {
    return this.sessions.reduce((best, session) => (session.pending < best.pending ? session : best))
  }

  /**
   * Runs a statement on a lock session that may take one subject's lock itself (core/store/operation-claim.ts),
   * given the subjects this process holds so it can refuse them. The held set is read when the statement is sent
   * and updated before the session runs its next one, so two local jobs can never both take one subject. It is also
   * given the subjects whose releases are waiting on the session (`releasing`, still in the held set), to release
   * in the same round trip. Returns the statement's result and the release of the lock it took (a no-op when it
   * took none).
   */
  async lockWithin<T extends { subject: string | null; locked: boolean; released?: number }>(
    statement: (session: pg.ClientBase, heldSubjects: readonly string[], releasing: readonly string[]) => Promise<T>,
  ): Promise<{ result: T; release: Release }> {
    const session = this.leastBusy()
    const client = await session.connection()
    let result: T
    try {
      result = await session.serialised(async () => {
        // Releases queued on this session go out with the statement, which says how many it released (`released`);
        // those it did not (it sent nothing, or cannot release) are sent here before its lock counts as held.
        const carried = session.takeUnlocks(client)
        try {
          const outcome = await statement(client, [...this.held], carried.subjects)
          if ((outcome.released ?? 0) < carried.subjects.length) await unlockSubjects(client, carried.subjects)
          if (outcome.locked && outcome.subject) this.held.add(outcome.subject)
          carried.settle()
          return outcome
        } catch (error) {
          carried.settle(error)
          throw error
        }
      })
    } catch (error) {
      // The statement may have taken a lock although its answer never arrived (a query timeout): only ending the
      // session guarantees it is not left held, which would block this subject until a restart.
      session.reset('locking statement failed', client)
      throw error
    }
    const subject = result.subject
    return { result, release: result.locked && subject ? this.releaseOf(session, client, subject) : async () => undefined }
  }

  /** Locks the subject, or returns null when another job (here or in another process) holds it. */
  async tryAcquire(subject: string): Promise<Release | null> {
    const { result, release } = await this.lockWithin(async (client, heldSubjects) => {
      if (heldSubjects.includes(subject)) return { subject, locked: false }
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [subject])
      return { subject, locked: rows[0]?.locked === true }
    })
    return result.locked ? release : null
  }

  private releaseOf(session: LockSession, client: pg.Client, subject: string): Release {
    let released = false
    return async () => {
      if (released) return
      released = true
      try {
        await session.unlock(client, subject)
      } catch (error) {
        // A dead session already dropped the lock; a live one that did not answer is ended so it drops it too.
        this.log.debug({ err: (error as Error).message, subject }, 'advisory unlock failed')
        session.reset('unlock query failed', client)
      } finally {
        this.held.delete(subject)
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.close()))
  }
}
