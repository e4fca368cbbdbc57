// ext whatif: what `ext install` (or, with --patch, a PATCH) would do, answered by POST {extension id}/whatIf without
// changing anything (README: What-if). Exit 0 when the request would be accepted, 1 when it would be refused.
import type { Command } from '../context.js'
import { API, CLUSTER, PROPERTY_OPTIONS, PROPERTY_USAGE, extensionPath, propertiesOf } from '../extension-request.js'
import { call } from '../http.js'
import { details, emit, table } from '../output.js'

interface WhatIf {
  method: 'PUT' | 'PATCH'
  accepted: boolean
  status: number
  operation: string
  startsOperation: boolean
  installedVersion: string | null
  resolvedVersion: string | null
  changes: {
    properties: { property: string; before: unknown; after: unknown }[]
    configurationSettings: { key: string; change: string; before?: string; after?: string }[]
    configurationProtectedSettings: { key: string; change: string }[]
  }
  violations: { code: string; message: string; target?: string; status: number }[]
}

interface ChangeRow {
  what: string
  change: string
  before?: unknown
  after?: unknown
}

/** Every change as one row; a protected setting only as changed or not, as the API answers it. */
function changeRows(changes: WhatIf['changes']): ChangeRow[] {
  return [
    ...changes.properties.map((c) => ({ what: c.property, change: c.before === null ? 'added' : c.after === null ? 'removed' : 'modified', before: c.before, after: c.after })),
    ...changes.configurationSettings.map((c) => ({ what: `configurationSettings.${c.key}`, change: c.change, before: c.before, after: c.after })),
    ...changes.configurationProtectedSettings.map((c) => ({ what: `configurationProtectedSettings.${c.key}`, change: c.change, before: '(protected)', after: '(protected)' })),
  ]
}

function render(result: WhatIf): string {
  const summary = details([
    ['Request', result.method],
    ['Answer', result.accepted ? `accepted (HTTP ${result.status})` : `refused (HTTP ${result.status})`],
    ['Operation', result.accepted && result.startsOperation && result.operation === 'none' ? 'none (the release is applied again as it is)' : result.operation],
    ['Installed version', result.installedVersion],
    ['Resolved version', result.resolvedVersion],
  ])
  const changes = table(
    changeRows(result.changes),
    [
      { header: 'CHANGE', value: (c) => c.change },
      { header: 'WHAT', value: (c) => c.what },
      { header: 'BEFORE', value: (c) => c.before },
      { header: 'AFTER', value: (c) => c.after },
    ],
    '(no changes)',
  )
  const violations =
    result.violations.length === 0
      ? ''
      : `\n${table(
          result.violations,
          [
            { header: 'CODE', value: (v) => v.code },
            { header: 'STATUS', value: (v) => v.status },
            { header: 'TARGET', value: (v) => v.target },
            { header: 'MESSAGE', value: (v) => v.message },
          ],
          '',
        )}`
  return `${summary}\n${changes}${violations}`
}

export const whatIf: Command = {
  words: ['ext', 'whatif'],
  usage: `<NAME> -c CLUSTER ${PROPERTY_USAGE} [--patch]`,
  summary: 'preview ext install (or with --patch, a PATCH) without changing anything; exit 1 if it would be refused',
  options: { ...CLUSTER, ...PROPERTY_OPTIONS, patch: { type: 'boolean' } },
  async run(context) {
    const method = context.flag('patch') ? '&method=PATCH' : ''
    const answer = await call(context.conn, 'POST', `${extensionPath(context)}/whatIf?${API}${method}`, { json: { properties: propertiesOf(context) } })
    const result = answer.body as WhatIf
    emit(context.format, result, render)
    if (result.accepted) return 0
    const [first] = result.violations
    process.stderr.write(`would be refused with HTTP ${result.status}${first ? `: ${first.code}: ${first.message}` : ''}\n`)
    return 1
  },
}
