// sim releases | tamper: the simulated driver's installed releases (/admin/simulator/releases), and changing one
// behind arcext's back, as someone with cluster access would, to rehearse drift (docs/drift-and-rollback.md).
import type { SimulatedReleaseView } from '../../core/simulator/releases.js'
import type { Command } from '../context.js'
import { UsageError } from '../errors.js'
import { CLUSTER, clusterOf } from '../extension-request.js'
import { call } from '../http.js'
import { emit, table } from '../output.js'

const RELEASES = '/admin/simulator/releases'
/** The CLI's words for the endpoint's changes. */
const CHANGES: Record<string, string> = { remove: 'remove', values: 'changeValues', version: 'changeVersion', failed: 'markFailed' }

function releaseTable(releases: SimulatedReleaseView[]): string {
  return table(
    releases,
    [
      { header: 'RELEASE', value: (r) => r.releaseName },
      { header: 'NAMESPACE', value: (r) => r.namespace },
      { header: 'TYPE', value: (r) => r.extensionType },
      { header: 'VERSION', value: (r) => r.version },
      { header: 'REVISION', value: (r) => r.revision },
      { header: 'STATUS', value: (r) => r.status },
      { header: 'UPDATED', value: (r) => r.updatedAt },
    ],
    '(no releases)',
  )
}

const releases: Command = {
  words: ['sim', 'releases'],
  usage: '-c CLUSTER',
  summary: 'the releases the simulated driver has installed on a cluster',
  options: CLUSTER,
  async run(context) {
    const { value } = (await call(context.conn, 'GET', `${RELEASES}?clusterId=${encodeURIComponent(clusterOf(context))}`)).body as { value: SimulatedReleaseView[] }
    emit(context.format, value, releaseTable)
  },
}

const tamper: Command = {
  words: ['sim', 'tamper'],
  usage: '<RELEASE> remove|values|version <V>|failed -c CLUSTER',
  summary: "change a simulated release behind arcext's back (remove, values, version, failed) to rehearse drift",
  options: CLUSTER,
  async run(context) {
    const releaseName = context.argument(0, 'the release name')
    const word = context.argument(1, 'the change (remove, values, version <V> or failed)')
    const change = CHANGES[word]
    if (!change) throw new UsageError(`the change is remove, values, version <V> or failed, not '${word}'`)
    const version = change === 'changeVersion' ? context.argument(2, 'the version to change the release to') : undefined
    if (context.positionals.length > (version === undefined ? 2 : 3)) throw new UsageError(`unexpected argument '${context.positionals.at(-1)}'`)
    const body = { clusterId: clusterOf(context), releaseName, change, version }
    const { value } = (await call(context.conn, 'POST', `${RELEASES}/tamper`, { json: body })).body as { value: SimulatedReleaseView[] }
    emit(context.format, value, releaseTable)
  },
}

export const simulatorCommands = [releases, tamper]
