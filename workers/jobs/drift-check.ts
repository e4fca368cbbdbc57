// The drift observer: looks at installed releases through their cluster's driver and compares each with the
// extension's last known good (version, values digest, status). What differs, and since when, lands on the extension
// (`drift`, and a `ReleaseDrifted` warning in statuses[]); with DRIFT_REPAIR=repair (or the extension's
// `arcext.driftRepair` setting) an `extension.repair` operation re-applies the last known good, accepted like any
// change so it is visible, retried and reconciled like one. Each pass looks at a bounded page, least recently
// checked first, and records the page's findings in one statement; only one pass runs at a time across workers.
import type { OperationQueue } from '../../core/queue.js'
import { ConcurrentModificationError, OperationInProgressError } from '../../core/domain/errors.js'
import { DRIFT_STATUS_CODE, driftOf, driftRepairMode, driftStatus, type DriftDifference, type DriftRepairMode, type ExtensionDrift } from '../../core/domain/drift.js'
import { lastGoodOf, type LastGood } from '../../core/domain/last-good.js'
import type { Prisma } from '../../core/db/client.js'
import type { Caller, ExtensionStatus } from '../../core/domain/model.js'
import { extensionsToObserve, recordDriftFindings, type DriftFinding, type ObservedExtension } from '../../core/store/drift.js'
import { acceptExtensionChange, extensionDocument, type Extension } from '../../core/store/extensions.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import type { WorkerContext } from '../context.js'
import type { ObservedRelease, ReleaseSpec } from '../drivers/driver.js'
import { valuesDigestMatches } from '../drivers/values-digest.js'
import { loggableError } from '../error-facts.js'
import { releaseFor, targetOf, type ExtensionTarget } from './extension-target.js'

/** Who repair operations name as their actor: the service itself. */
export const DRIFT_REPAIR_CALLER: Caller = { id: 'arcext-drift-repair', type: 'Application' }

/** With no request behind it, a repair's Location result is rendered in the newest stable api-version. */
const DRIFT_REPAIR_API_VERSION = '2023-05-01'

export interface DriftCheckOptions {
  /** DRIFT_REPAIR: the mode for extensions without their own `arcext.driftRepair` setting. */
  repair: DriftRepairMode
  /** Extensions observed per pass; the rest wait for later passes (least recently checked first). */
  batchSize: number
  /** Time one observation may take before it is given up (the extension is looked at again next pass). */
  observeTimeoutMs: number
}

export interface DriftCheckResult {
  observed: number
  drifted: { resourceId: string; differences: DriftDifference[] }[]
  repairs: { resourceId: string; operationId: string }[]
  /** Extensions whose release could not be observed (cluster unreachable, driver error); not counted as drift. */
  unobserved: number
}

/** What differs between the last known good and the release as observed. Values are compared by keyed digest only. */
export function driftBetween(secrets: WorkerContext['secrets'], desired: ReleaseSpec, observed: ObservedRelease | null): DriftDifference[] {
  if (!observed) return [{ kind: 'releaseMissing', expected: 'installed', observed: 'not installed' }]
  const differences: DriftDifference[] = []
  if (observed.version !== desired.version) differences.push({ kind: 'versionChanged', expected: desired.version, observed: observed.version })
  // A release moved to another version carries that version's values: only the same version's values are comparable.
  // A digest made under a key since retired cannot be checked, which is not a sign of change.
  else if (!valuesDigestMatches(secrets, desired, observed.valuesDigest) && !secrets.macKeyRetired(observed.valuesDigest)) {
    differences.push({ kind: 'valuesChanged', expected: 'as applied', observed: 'changed' })
  }
  if (observed.status !== 'deployed') differences.push({ kind: 'statusChanged', expected: 'deployed', observed: observed.status })
  return differences
}

/** The extension as its last known good describes it: that spec, with those (still sealed) protected settings. */
function lastGoodTarget(ctx: WorkerContext, item: ObservedExtension, good: LastGood): ExtensionTarget {
  const { extension, cluster } = item
  return targetOf(ctx, {
    id: extension.id,
    name: extension.name,
    spec: good.spec as unknown as Prisma.JsonValue,
    currentVersion: extension.currentVersion,
    protectedSettingsSealed: extension.lastGoodProtectedSettingsSealed,
    activeOperationId: extension.activeOperationId,
    cluster,
  })
}

const sameKinds = (a: readonly DriftDifference[], b: readonly DriftDifference[]) => JSON.stringify(a.map((d) => d.kind)) === JSON.stringify(b.map((d) => d.kind))

/** The extension's statuses with the drift warning replaced (or removed when `status` is null). */
function withDriftStatus(statuses: ExtensionStatus[], status: ExtensionStatus | null): ExtensionStatus[] {
  const others = statuses.filter((s) => s.code !== DRIFT_STATUS_CODE)
  return status ? [...others, status] : others
}

async function startRepair(ctx: WorkerContext, queue: OperationQueue, extension: Extension, good: LastGood, differences: DriftDifference[]) {
  try {
    const accepted = await acceptExtensionChange(ctx.db, extension, {
      kind: 'extension.repair',
      caller: DRIFT_REPAIR_CALLER,
      apiVersion: DRIFT_REPAIR_API_VERSION,
      properties: { targetVersion: good.version, drift: differences.map((d) => d.kind) },
    })
    await deliverOrLeaveToOutbox(ctx.db, queue, [accepted.operation], ctx.log)
    return accepted.operation.id
  } catch (error) {
    // A caller changed the extension since it was read: its own operation re-applies the release anyway.
    if (error instanceof OperationInProgressError || error instanceof ConcurrentModificationError) return null
    throw error
  }
}

export async function checkDrift(ctx: WorkerContext, queue: OperationQueue, options: DriftCheckOptions): Promise<DriftCheckResult> {
  const result: DriftCheckResult = { observed: 0, drifted: [], repairs: [], unobserved: 0 }
  const page = await extensionsToObserve(ctx.db, options.batchSize)
  const findings: DriftFinding[] = []
  const toRepair: { extension: Extension; good: LastGood; differences: DriftDifference[] }[] = []
  for (const item of page) {
    const { extension } = item
    const good = lastGoodOf(extension)
    const finding: DriftFinding = { id: extension.id, etag: extension.etag }
    findings.push(finding)
    if (!good) continue
    let differences: DriftDifference[]
    try {
      const target = lastGoodTarget(ctx, item, good)
      const desired = releaseFor(ctx, target, good.version)
      const observed = await target.driver.observe(target.cluster, desired.releaseName, { namespace: desired.namespace, signal: AbortSignal.timeout(options.observeTimeoutMs) })
      differences = driftBetween(ctx.secrets, desired, observed)
      result.observed += 1
    } catch (error) {
      result.unobserved += 1
      ctx.log.warn({ resourceId: extension.resourceId, err: loggableError(error) }, 'drift check could not observe the release; it is looked at again later')
      continue
    }
    const before = driftOf(extension)
    const { statuses, spec } = extensionDocument(extension)
    if (differences.length === 0) {
      if (before) finding.update = { drift: null, statuses: withDriftStatus(statuses, null) }
      continue
    }
    const now = new Date().toISOString()
    const drift: ExtensionDrift = { differences, since: before && sameKinds(before.differences, differences) ? before.since : now, observedAt: now }
    const mode = driftRepairMode(spec.configurationSettings, options.repair)
    finding.update = { drift, statuses: withDriftStatus(statuses, driftStatus(extension.name, drift, mode)) }
    result.drifted.push({ resourceId: extension.resourceId, differences })
    if (mode === 'repair') toRepair.push({ extension, good, differences })
  }
  await recordDriftFindings(ctx.db, findings)
  for (const { extension, good, differences } of toRepair) {
    // Recording findings leaves the etag alone, so the repair is judged against the extension as read, and not
    // started if a request changed it meanwhile.
    const operationId = await startRepair(ctx, queue, extension, good, differences)
    if (operationId) {
      result.repairs.push({ resourceId: extension.resourceId, operationId })
      ctx.log.info({ resourceId: extension.resourceId, operationId, drift: differences.map((d) => d.kind) }, 'drift repair started')
    }
  }
  for (const drifted of result.drifted) ctx.log.warn({ resourceId: drifted.resourceId, drift: drifted.differences.map((d) => d.kind) }, 'release drifted')
  return result
}
