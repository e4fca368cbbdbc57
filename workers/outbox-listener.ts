// A dedicated Postgres session that LISTENs on the outbox channel and calls `wake` on each notification, so an idle
// dispatcher sends nothing instead of polling. Postgres drops LISTEN with the session (a restart, a failover, a
// terminated backend), so a lost session is replaced after a pause; notifications sent while it was gone are lost,
// which is why `wake` is also called on every (re)connect.
import pg from 'pg'
import type { Logger } from 'pino'
import { OUTBOX_CHANNEL } from '../core/store/outbox.js'

const RECONNECT_MS = { first: 250, max: 5000 }

export function listenForOutbox(databaseUrl: string, log: Logger, wake: () => void): { close(): Promise<void> } {
  let client: pg.Client | null = null
  let closed = false
  let retryTimer: NodeJS.Timeout | undefined
  let pauseMs = RECONNECT_MS.first

  const reconnectLater = () => {
    if (closed || retryTimer) return
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      void connect()
    }, pauseMs)
    pauseMs = Math.min(pauseMs * 2, RECONNECT_MS.max)
  }

  const connect = async () => {
    const session = new pg.Client({ connectionString: databaseUrl, application_name: `arcext-worker-outbox:${process.pid}`, connectionTimeoutMillis: 10_000 })
    client = session
    let lost = false
    const onLost = (error?: Error) => {
      if (lost) return
      lost = true
      if (client === session) client = null
      void session.end().catch(() => undefined)
      if (closed) return
      log.warn({ err: error?.message }, 'outbox listener connection lost; reconnecting')
      reconnectLater()
    }
    session.on('error', onLost)
    session.on('end', () => onLost())
    session.on('notification', () => wake())
    try {
      await session.connect()
      await session.query(`LISTEN ${OUTBOX_CHANNEL}`)
    } catch (error) {
      onLost(error as Error)
      return
    }
    if (closed) {
      await session.end().catch(() => undefined)
      return
    }
    pauseMs = RECONNECT_MS.first
    wake() // anything inserted while no session listened
  }

  void connect()
  return {
    async close() {
      closed = true
      clearTimeout(retryTimer)
      const session = client
      client = null
      await session?.end().catch(() => undefined)
    },
  }
}
