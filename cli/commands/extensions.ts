// ext ls | show | install | whatif | rollback | rm: extensions on a cluster (Microsoft.KubernetesConfiguration/extensions).
import type { Command, Context } from '../context.js'
import { CliError } from '../errors.js'
import { API, CLUSTER, PROPERTY_OPTIONS, PROPERTY_USAGE, clusterOf, extensionPath, propertiesOf } from '../extension-request.js'
import { call, listAll, request, type Answer } from '../http.js'
import { details, emit, json, table } from '../output.js'
import { extensionsPath } from '../resources.js'
import { whatIf } from './what-if.js'
import { WATCH_OPTIONS, watchOperation, watchOptionsOf, watchStatusUrl } from '../watch.js'

interface Extension {
  id: string
  name: string
  properties: {
    extensionType?: string
    version?: string | null
    currentVersion?: string | null
    releaseTrain?: string
    autoUpgradeMinorVersion?: boolean
    provisioningState?: string
    configurationSettings?: Record<string, string>
    scope?: unknown
    errorInfo?: { code: string; message: string } | null
    statuses?: { code?: string; level?: string; displayStatus?: string; message?: string }[]
  }
}

const operationIdOf = (answer: Answer) => {
  const url = answer.headers['azure-asyncoperation']
  return typeof url === 'string' ? { url, id: new URL(url).pathname.split('/').pop()! } : undefined
}

/** After an accepted write: follow the operation (--wait), else say how to. */
async function afterAccepted(context: Context, answer: Answer, what: string): Promise<number> {
  const operation = operationIdOf(answer)
  if (!operation) {
    emit(context.format, { status: answer.status }, () => `${what}: nothing to do\n`)
    return 0
  }
  if (!context.flag('wait')) {
    emit(
      context.format,
      { operationId: operation.id, statusUrl: operation.url, resource: answer.body },
      () => `${what}: operation ${operation.id} accepted (follow it with: arcext ops show ${operation.id} --watch)\n`,
    )
    return 0
  }
  // The operator view has the timeline; a caller it refuses (jwt mode without Owner) follows the ARM status instead.
  const probe = await request(context.conn, 'GET', `/admin/operations/${operation.id}`)
  if (probe.status === 403) return watchStatusUrl(context, operation.url, watchOptionsOf(context))
  return watchOperation(context, operation.id, watchOptionsOf(context))
}

const ls: Command = {
  words: ['ext', 'ls'],
  usage: '-c CLUSTER [-s SUBSCRIPTION -g RESOURCE_GROUP]',
  summary: "list a cluster's extensions",
  options: CLUSTER,
  async run(context) {
    const extensions = await listAll<Extension>(context.conn, `${extensionsPath(clusterOf(context))}?${API}`)
    emit(context.format, extensions, () =>
      table(
        extensions,
        [
          { header: 'NAME', value: (e) => e.name },
          { header: 'TYPE', value: (e) => e.properties.extensionType },
          { header: 'VERSION', value: (e) => e.properties.currentVersion ?? e.properties.version },
          { header: 'TRAIN', value: (e) => e.properties.releaseTrain },
          { header: 'AUTO-UPGRADE', value: (e) => e.properties.autoUpgradeMinorVersion },
          { header: 'STATE', value: (e) => e.properties.provisioningState },
          { header: 'ERROR', value: (e) => e.properties.errorInfo?.code },
        ],
        '(no extensions)',
      ),
    )
  },
}

const show: Command = {
  words: ['ext', 'show'],
  usage: '<NAME> -c CLUSTER [-s SUBSCRIPTION -g RESOURCE_GROUP]',
  summary: 'one extension, with its settings (never protected ones), state, error and statuses',
  options: CLUSTER,
  async run(context) {
    const extension = (await call(context.conn, 'GET', `${extensionPath(context)}?${API}`)).body as Extension
    const p = extension.properties
    emit(context.format, extension, () =>
      details([
        ['Name', extension.name],
        ['Id', extension.id],
        ['Type', p.extensionType],
        ['Version', p.currentVersion ?? p.version],
        ['Release train', p.releaseTrain],
        ['Auto-upgrade', p.autoUpgradeMinorVersion],
        ['State', p.provisioningState],
        ['Settings', p.configurationSettings && Object.keys(p.configurationSettings).length ? p.configurationSettings : null],
        ['Error', p.errorInfo ? `${p.errorInfo.code}: ${p.errorInfo.message}` : null],
        ...(p.statuses ?? []).map((s, index): [string, unknown] => [index === 0 ? 'Statuses' : '', `${s.level ?? ''} ${s.code ?? ''}: ${s.message ?? ''}`.trim()]),
      ]),
    )
  },
}

const install: Command = {
  words: ['ext', 'install'],
  usage: `<NAME> -c CLUSTER ${PROPERTY_USAGE} [--wait [--timeout S]]`,
  summary: 'install (or change) an extension: PUT, then follow its operation with --wait',
  options: { ...CLUSTER, ...WATCH_OPTIONS, ...PROPERTY_OPTIONS, wait: { type: 'boolean' } },
  async run(context) {
    const answer = await call(context.conn, 'PUT', `${extensionPath(context)}?${API}`, { json: { properties: propertiesOf(context) } })
    return afterAccepted(context, answer, `${answer.status === 201 ? 'Installing' : 'Updating'} ${context.positionals[0]}`)
  },
}

const rollback: Command = {
  words: ['ext', 'rollback'],
  usage: '<NAME> -c CLUSTER [--wait [--timeout S]]',
  summary: 'back to the last known good version and settings (POST …/rollback), then follow its operation with --wait',
  options: { ...CLUSTER, ...WATCH_OPTIONS, wait: { type: 'boolean' } },
  async run(context) {
    const answer = await call(context.conn, 'POST', `${extensionPath(context)}/rollback?${API}`)
    return afterAccepted(context, answer, `Rolling back ${context.positionals[0]}`)
  },
}

const rm: Command = {
  words: ['ext', 'rm'],
  usage: '<NAME> -c CLUSTER [--force] [--wait [--timeout S]]',
  summary: 'uninstall an extension (--force: forceDelete, remove it even if the release cannot be uninstalled)',
  options: { ...CLUSTER, ...WATCH_OPTIONS, force: { type: 'boolean' }, wait: { type: 'boolean' } },
  async run(context) {
    const answer = await call(context.conn, 'DELETE', `${extensionPath(context)}?${API}${context.flag('force') ? '&forceDelete=true' : ''}`)
    if (answer.status === 204) {
      emit(context.format, { status: 204 }, () => `${context.positionals[0]} does not exist; nothing to delete\n`)
      return 0
    }
    if (answer.status !== 202) throw new CliError(`DELETE answered HTTP ${answer.status}: ${json(answer.body).trim()}`)
    return afterAccepted(context, answer, `Deleting ${context.positionals[0]}`)
  },
}

export const extensionCommands = [ls, show, install, whatIf, rollback, rm]
