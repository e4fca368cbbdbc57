// What the drift observer (workers/jobs/drift-check.ts) reads and writes: a bounded page of installed extensions,
// least recently checked first, and one statement that records a whole page's findings. Writes are guarded by the
// etag read with the page, so a finding never lands on an extension a request changed meanwhile (its operation's
// outcome decides then), and they leave the etag alone: drift is observed state, not a change to the resource.
import type { Db } from '../db/client.js'
import type { Extension } from '../db/generated/client.js'
import type { ExtensionDrift } from '../domain/drift.js'
import type { ExtensionStatus } from '../domain/model.js'
import type { ClaimedExtension } from './operation-claim.js'
import { extensionFromRow } from './rows.js'

export interface ObservedExtension {
  extension: Extension
  cluster: ClaimedExtension['cluster']
}

/**
 * Up to `limit` extensions settled on a last known good (Succeeded, nothing in flight), the least recently checked
 * first, with their clusters as a job reads them.
 */
export async function extensionsToObserve(db: Db, limit: number): Promise<ObservedExtension[]> {
  const rows = await db.$queryRaw<{ extension: unknown; cluster: ClaimedExtension['cluster'] }[]>`
    SELECT to_jsonb(e) AS extension,
           json_build_object('id', cl.id, 'resourceId', cl.resource_id, 'driver', cl.driver, 'kubeconfigSealed', cl.kubeconfig_sealed, 'properties', cl.properties) AS cluster
      FROM extensions e JOIN clusters cl ON cl.id = e.cluster_id
     WHERE e.provisioning_state = 'Succeeded' AND e.active_operation_id IS NULL AND e.last_good IS NOT NULL AND cl.provisioning_state = 'Succeeded'
     ORDER BY e.drift_checked_at ASC NULLS FIRST, e.id
     LIMIT ${limit}`
  return rows.map((row) => ({ extension: extensionFromRow(row.extension), cluster: row.cluster }))
}

export interface DriftFinding {
  id: string
  /** The etag read with the page: the finding is dropped if the extension changed since. */
  etag: string
  /** Set when the drift facts or statuses change; absent only marks the extension checked. */
  update?: { drift: ExtensionDrift | null; statuses: ExtensionStatus[] }
}

/** Records a page's findings in one statement; returns how many extensions took a drift update. */
export async function recordDriftFindings(db: Db, findings: readonly DriftFinding[]): Promise<number> {
  if (findings.length === 0) return 0
  const records = findings.map((f) => ({ id: f.id, etag: f.etag, changed: f.update !== undefined, drift: f.update?.drift ?? null, statuses: f.update?.statuses ?? null }))
  const rows = await db.$queryRaw<{ updated: number }[]>`
    WITH found AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS f(id uuid, etag text, changed boolean, drift jsonb, statuses jsonb)),
    written AS (
      UPDATE extensions e
         SET drift_checked_at = now(),
             drift = CASE WHEN found.changed THEN found.drift ELSE e.drift END,
             statuses = CASE WHEN found.changed THEN found.statuses ELSE e.statuses END
        FROM found
       WHERE e.id = found.id AND e.etag = found.etag AND e.active_operation_id IS NULL
      RETURNING found.changed)
    SELECT count(*) FILTER (WHERE changed)::int AS updated FROM written`
  return rows[0]?.updated ?? 0
}
