// faults ls | add | rm: the simulated driver's fault-injection rules (/admin/simulator/faults).
import type { Command } from '../context.js'
import { UsageError } from '../errors.js'
import { call } from '../http.js'
import { emit, shortResource, table } from '../output.js'
import { CLUSTER_OPTIONS, clusterId } from '../resources.js'

interface FaultRule {
  id: string
  kind: string
  clusterId: string | null
  extensionType: string | null
  operations?: string[] | null
  transient?: boolean
  probability?: number
  remainingCalls: number | null
  injectedCalls: number
  source: string
}

const FAULTS = '/admin/simulator/faults'

const ls: Command = {
  words: ['faults', 'ls'],
  usage: '[-c CLUSTER]',
  summary: 'fault rules (all, or those of one cluster), with how often each was injected',
  options: { ...CLUSTER_OPTIONS, cluster: { type: 'string', short: 'c' } },
  async run(context) {
    const cluster = context.string('cluster')
    const query = cluster ? `?clusterId=${encodeURIComponent(clusterId(context, cluster))}` : ''
    const { value } = (await call(context.conn, 'GET', `${FAULTS}${query}`)).body as { value: FaultRule[] }
    emit(context.format, value, () =>
      table(
        value,
        [
          { header: 'ID', value: (f) => f.id },
          { header: 'KIND', value: (f) => f.kind },
          { header: 'CLUSTER', value: (f) => (f.clusterId ? shortResource(f.clusterId) : 'any') },
          { header: 'TYPE', value: (f) => f.extensionType ?? 'any' },
          { header: 'TRANSIENT', value: (f) => f.transient },
          { header: 'INJECTED', value: (f) => f.injectedCalls },
          { header: 'REMAINING', value: (f) => f.remainingCalls ?? 'unlimited' },
          { header: 'SOURCE', value: (f) => f.source },
        ],
        '(no fault rules)',
      ),
    )
  },
}

const add: Command = {
  words: ['faults', 'add'],
  usage:
    '--kind failInstall|failUpgrade|failUninstall|hang|unreachable|latency [--id ID] [-c CLUSTER] [--extension-type T] [--operations install,upgrade,uninstall] [--transient true|false] [--probability P] [--remaining-calls N] [--duration-ms MS] [--message TEXT]',
  summary: 'add a fault rule (with --id: create or replace that rule); prints its id',
  options: {
    ...CLUSTER_OPTIONS,
    cluster: { type: 'string', short: 'c' },
    id: { type: 'string' },
    kind: { type: 'string' },
    'extension-type': { type: 'string' },
    operations: { type: 'string' },
    transient: { type: 'string' },
    probability: { type: 'string' },
    'remaining-calls': { type: 'string' },
    'duration-ms': { type: 'string' },
    message: { type: 'string' },
  },
  async run(context) {
    const kind = context.string('kind')
    if (!kind) throw new UsageError('--kind is required')
    const transient = context.string('transient')
    if (transient !== undefined && transient !== 'true' && transient !== 'false') throw new UsageError(`--transient is true or false, not '${transient}'`)
    const cluster = context.string('cluster')
    const rule: Record<string, unknown> = {
      kind,
      clusterId: cluster ? clusterId(context, cluster) : undefined,
      extensionType: context.string('extension-type'),
      operations: context
        .string('operations')
        ?.split(',')
        .map((operation) => operation.trim()),
      transient: transient === undefined ? undefined : transient === 'true',
      probability: context.string('probability') === undefined ? undefined : context.number('probability', 1),
      remainingCalls: context.string('remaining-calls') === undefined ? undefined : context.number('remaining-calls', 1, { integer: true }),
      durationMs: context.string('duration-ms') === undefined ? undefined : context.number('duration-ms', 0, { integer: true }),
      message: context.string('message'),
    }
    const id = context.string('id')
    const answer = id ? await call(context.conn, 'PUT', `${FAULTS}/${encodeURIComponent(id)}`, { json: rule }) : await call(context.conn, 'POST', FAULTS, { json: rule })
    const created = answer.body as FaultRule
    emit(context.format, created, () => `${created.id}\n`)
  },
}

const rm: Command = {
  words: ['faults', 'rm'],
  usage: '<FAULT_ID>',
  summary: 'remove a fault rule',
  async run(context) {
    const id = context.argument(0, 'the fault rule id')
    const answer = await call(context.conn, 'DELETE', `${FAULTS}/${encodeURIComponent(id)}`)
    const removed = answer.status === 200
    emit(context.format, { id, removed }, () => (removed ? `Removed fault rule ${id}\n` : `No fault rule ${id}; nothing removed\n`))
  },
}

export const faultCommands = [ls, add, rm]
