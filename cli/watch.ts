// Following an operation to its end: one line per timeline event as it appears, and on a terminal a status line
// redrawn in place (kind, status, attempt, progress, elapsed time). Exit code 0 when it succeeded, 1 when it failed,
// was canceled or did not end within the timeout.
import type { OperationView, TimelineEventView } from '../core/domain/operation-view.js'
import type { Context } from './context.js'
import { CliError } from './errors.js'
import { call, request, failureLine } from './http.js'
import { details, json, shortResource, table } from './output.js'

export interface WatchOptions {
  timeoutSeconds: number
  intervalMs: number
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export function describeEvent(event: TimelineEventView): string {
  switch (event.event) {
    case 'accepted':
      return 'accepted'
    case 'dispatched':
      return 'dispatched to a worker'
    case 'attemptStarted':
      return `attempt ${event.attempt ?? '?'} started`
    case 'driverStep':
      return `${event.driver ?? 'driver'} ${event.step ?? '?'}: ${event.status ?? '?'}${event.errorCode ? ` (${event.errorCode})` : ''}${event.durationMs !== undefined ? ` in ${event.durationMs} ms` : ''}`
    case 'retryScheduled':
      return `attempt ${event.attempt ?? '?'} failed (${event.reason ?? 'unknown'}); retry scheduled`
    case 'finished':
      return `finished: ${event.status ?? '?'}${event.errorCode ? ` (${event.errorCode})` : ''}`
    default:
      return event.event
  }
}

const clock = (at: string) => (at.length >= 23 ? at.slice(11, 23) : at)

export function timelineTable(events: readonly TimelineEventView[]): string {
  return table(
    events,
    [
      { header: 'AT', value: (event) => clock(event.at) },
      { header: 'EVENT', value: describeEvent },
    ],
    '(no timeline events)',
  )
}

export function operationDetails(op: OperationView): string {
  return details([
    ['Operation', op.id],
    ['Kind', op.kind],
    ['Resource', op.resourceId],
    ['Status', op.status],
    ['Attempts', op.attempts],
    ['Started', op.startTime],
    ['Ended', op.endTime],
    ['Correlation', op.correlationId],
    ['Error', op.error ? `${op.error.code}: ${op.error.message}` : null],
  ])
}

/** The exit code an operation's final status stands for. */
export function exitCodeOf(status: string): number {
  return status === 'Succeeded' ? 0 : 1
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls GET /admin/operations/{id} until the operation ends, drawing its progress; returns the exit code. */
export async function watchOperation(context: Context, id: string, options: WatchOptions): Promise<number> {
  const out = process.stdout
  const live = context.format === 'table' && out.isTTY === true
  const started = Date.now()
  let shown = 0
  let frame = 0
  let statusLine = false
  const clearStatus = () => {
    if (statusLine) out.write('\r\x1b[2K')
    statusLine = false
  }
  if (context.format === 'table') out.write(`Watching operation ${id} (Ctrl-C stops watching, not the operation)\n`)
  for (;;) {
    const op = (await call(context.conn, 'GET', `/admin/operations/${encodeURIComponent(id)}`)).body as OperationView
    const events = op.timeline ?? []
    if (context.format === 'table') {
      if (shown === 0 && events.length > 0) out.write(`${op.kind} of ${shortResource(op.resourceId)}\n`)
      for (const event of events.slice(shown)) {
        clearStatus()
        out.write(`  ${clock(event.at)}  ${describeEvent(event)}\n`)
      }
    }
    shown = events.length
    const elapsed = (Date.now() - started) / 1000
    if (op.status !== 'InProgress') {
      clearStatus()
      if (context.format === 'json') out.write(json(op))
      else out.write(`${op.status}: ${op.kind} of ${shortResource(op.resourceId)}${op.endTime ? ` in ${((Date.parse(op.endTime) - Date.parse(op.startTime)) / 1000).toFixed(1)} s` : ''}\n`)
      if (op.error) process.stderr.write(`${op.error.code}: ${op.error.message}\n`)
      return exitCodeOf(op.status)
    }
    if (elapsed > options.timeoutSeconds) {
      clearStatus()
      if (context.format === 'json') out.write(json(op))
      throw new CliError(`operation ${id} is still ${op.status} after ${options.timeoutSeconds} s (--timeout); it keeps running`)
    }
    if (live) {
      const progress = op.percentComplete > 0 ? `  ${Math.round(op.percentComplete)}%` : ''
      // Time since the operation was accepted (the service's clock), not since watching began.
      const running = Math.max(0, (Date.now() - Date.parse(op.startTime)) / 1000)
      out.write(`\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} ${op.status}  attempt ${op.attempts}${progress}  ${running.toFixed(1)} s`)
      statusLine = true
    }
    await sleep(options.intervalMs)
  }
}

/**
 * Polls an Azure-AsyncOperation URL until the operation ends: for callers the operator view refuses (jwt mode
 * without Owner), who can still follow the status of their own request.
 */
export async function watchStatusUrl(context: Context, url: string, options: WatchOptions): Promise<number> {
  const started = Date.now()
  let last = ''
  for (;;) {
    const target = new URL(url)
    const answer = await request(context.conn, 'GET', target.pathname + target.search)
    if (answer.status >= 400) throw new CliError(failureLine(answer))
    const status = answer.body as { status: string; error?: { code: string; message: string } }
    if (context.format === 'table' && status.status !== last) process.stdout.write(`  ${status.status}\n`)
    last = status.status
    if (status.status !== 'InProgress') {
      if (context.format === 'json') process.stdout.write(json(status))
      if (status.error) process.stderr.write(`${status.error.code}: ${status.error.message}\n`)
      return exitCodeOf(status.status)
    }
    if ((Date.now() - started) / 1000 > options.timeoutSeconds) throw new CliError(`the operation at ${url} is still InProgress after ${options.timeoutSeconds} s (--timeout); it keeps running`)
    await sleep(options.intervalMs)
  }
}

export const WATCH_OPTIONS = {
  timeout: { type: 'string' },
  interval: { type: 'string' },
} as const

/** --timeout (seconds, default 300) and --interval (seconds between polls, default 0.5). */
export function watchOptionsOf(context: Context): WatchOptions {
  return { timeoutSeconds: context.number('timeout', 300), intervalMs: context.number('interval', 0.5, { min: 0.05 }) * 1000 }
}
