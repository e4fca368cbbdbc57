// ops ls | show [--watch] | retry: the operator view of operations (GET /admin/operations[/{id}]) and the retry of
// a failed one (POST /admin/operations/{id}/retry).
import type { Command, Context } from '../context.js'
import { call } from '../http.js'
import { emit, shortResource, table } from '../output.js'
import { clusterId, subscriptionOf, CLUSTER_OPTIONS } from '../resources.js'
import type { OperationView } from '../../core/domain/operation-view.js'
import { WATCH_OPTIONS, operationDetails, timelineTable, watchOperation, watchOptionsOf } from '../watch.js'

const operationPath = (context: Context) => `/admin/operations/${encodeURIComponent(context.argument(0, 'the operation id'))}`

const ls: Command = {
  words: ['ops', 'ls'],
  usage: '[-s SUBSCRIPTION] [-c CLUSTER] [--extension NAME] [--status InProgress|Succeeded|Failed|Canceled] [--kind KIND] [--top N]',
  summary: 'operations, newest first, filtered',
  options: {
    ...CLUSTER_OPTIONS,
    cluster: { type: 'string', short: 'c' },
    extension: { type: 'string' },
    status: { type: 'string' },
    kind: { type: 'string' },
    top: { type: 'string' },
  },
  async run(context) {
    const query = new URLSearchParams()
    const subscription = subscriptionOf(context)
    const cluster = context.string('cluster')
    if (cluster) query.set('cluster', clusterId(context, cluster))
    else if (subscription) query.set('subscription', subscription)
    for (const name of ['extension', 'status', 'kind']) {
      const value = context.string(name)
      if (value !== undefined) query.set(name, value)
    }
    const top = context.string('top')
    if (top !== undefined) query.set('$top', top)
    const { value } = (await call(context.conn, 'GET', `/admin/operations${query.size ? `?${query}` : ''}`)).body as { value: OperationView[] }
    emit(context.format, value, () =>
      table(
        value,
        [
          { header: 'ID', value: (op) => op.id },
          { header: 'KIND', value: (op) => op.kind },
          { header: 'RESOURCE', value: (op) => shortResource(op.resourceId) },
          { header: 'STATUS', value: (op) => op.status },
          { header: 'ATTEMPTS', value: (op) => op.attempts },
          { header: 'STARTED', value: (op) => op.startTime },
          { header: 'ERROR', value: (op) => op.error?.code },
        ],
        '(no operations)',
      ),
    )
  },
}

const show: Command = {
  words: ['ops', 'show'],
  usage: '<OPERATION_ID> [--watch [--timeout S] [--interval S]]',
  summary: 'one operation and its timeline; --watch follows it to the end (exit 0 only if it Succeeded)',
  options: { ...WATCH_OPTIONS, watch: { type: 'boolean', short: 'w' } },
  async run(context) {
    const path = operationPath(context)
    if (context.flag('watch')) return watchOperation(context, context.argument(0, 'the operation id'), watchOptionsOf(context))
    const op = (await call(context.conn, 'GET', path)).body as OperationView
    emit(context.format, op, () => `${operationDetails(op)}\n${timelineTable(op.timeline ?? [])}`)
  },
}

const retry: Command = {
  words: ['ops', 'retry'],
  usage: '<OPERATION_ID> [--watch [--timeout S]]',
  summary: "run a Failed operation's desired state again as a new operation (only the newest on its resource)",
  options: { ...WATCH_OPTIONS, watch: { type: 'boolean', short: 'w' } },
  async run(context) {
    const op = (await call(context.conn, 'POST', `${operationPath(context)}/retry`, { json: {} })).body as OperationView & { retriedOperationId: string; deleted?: boolean }
    if (op.deleted) {
      emit(context.format, op, () => `The cluster had no extensions left and was deleted at once.\n`)
      return 0
    }
    if (context.flag('watch')) {
      if (context.format === 'table') process.stdout.write(`Retrying ${op.retriedOperationId} as operation ${op.id}\n`)
      return watchOperation(context, op.id, watchOptionsOf(context))
    }
    emit(context.format, op, () => `Retrying ${op.retriedOperationId} as operation ${op.id} (follow it with: arcext ops show ${op.id} --watch)\n`)
  },
}

export const operationCommands = [ls, show, retry]
