// The one statement a worker starts an operation with. It reads the operation, removes its outbox row (its job has
// reached a worker, so the row's work is done), takes the subject's advisory lock, counts the attempt (and shows an
// install, update, upgrade, rollback or repair 10% along, which its job once recorded in a statement of its own) and reads what the job acts
// on: six round trips folded into one, run on the worker's lock session so the session lock belongs to it
// (workers/subject-locks.ts).
//
// Why one statement is as safe as the five: the attempt is counted by an UPDATE, and an UPDATE re-reads a row that
// changed after the statement began (READ COMMITTED), so an operation that whatever held the lock just finished or
// canceled is seen as it is now and not counted. The extension and cluster are read from the statement's snapshot;
// the only writers of an extension besides this operation's own job are requests that cancel this operation in the
// same transaction, which the UPDATE sees.
import type pg from 'pg'
import type { Prisma } from '../db/client.js'
import type { Operation } from './operations.js'
import { isGuid } from '../domain/guid.js'

/** What the job acts on, when the operation names an extension: its row and its cluster's, as far as jobs read them. */
export interface ClaimedExtension {
  id: string
  name: string
  spec: Prisma.JsonValue
  currentVersion: string | null
  protectedSettingsSealed: string | null
  activeOperationId: string | null
  cluster: { id: string; resourceId: string; driver: string; kubeconfigSealed: string | null; properties: Prisma.JsonValue }
}

export type Claim =
  /** The operation is gone or already ended: nothing to do. */
  | { state: 'ended'; subject: string | null; locked: boolean }
  /** Past OPERATION_DEADLINE_SECONDS; not locked, not counted. */
  | { state: 'overdue'; subject: string | null; locked: false; operation: Operation }
  /** Another job (in this process or another) holds its extension or cluster. */
  | { state: 'busy'; subject: string | null; locked: false }
  /** Locked and counted: run it. */
  | { state: 'claimed'; subject: string | null; locked: true; operation: Operation; extension: ClaimedExtension | null }

interface ClaimRow extends Operation {
  state: Claim['state']
  subject: string | null
  locked: boolean
  released: number
  extension: ClaimedExtension | null
}

const OPERATION_COLUMNS = (alias: string) => `${alias}.id, ${alias}.kind, ${alias}.resource_id_key AS "resourceIdKey", ${alias}.resource_id AS "resourceId",
  ${alias}.extension_id AS "extensionId", ${alias}.cluster_id AS "clusterId", ${alias}.status, ${alias}.percent_complete AS "percentComplete",
  ${alias}.api_version AS "apiVersion", ${alias}.correlation_id AS "correlationId", ${alias}.error, ${alias}.properties, ${alias}.attempts,
  ${alias}.start_time AS "startTime", ${alias}.end_time AS "endTime", ${alias}.updated_at AS "updatedAt"`

// $1 operation id, $2 deadline in seconds, $3 subjects this process already holds (advisory locks are re-entrant
// within a session, so the statement must refuse those itself), $4 subjects to release on the way (jobs that ended
// while the session was busy; they are among $3, so the order does not matter). CASE evaluates lazily: the lock is
// only tried for a running operation within its deadline. The outbox row is skipped when a dispatcher has it locked: it deletes it.
// `lock` reads `delivered` so the delete runs before the attempt is counted (an unreferenced data-modifying CTE runs
// last), which keeps the timeline's "dispatched" before "attemptStarted" (the events are written by triggers).
const CLAIM_SQL = `
WITH released AS MATERIALIZED (
  SELECT count(pg_advisory_unlock(hashtextextended(s, 0)))::int AS n FROM unnest($4::text[]) AS s
),
seen AS MATERIALIZED (
  SELECT o.*, CASE WHEN o.extension_id IS NOT NULL THEN 'arcext:extension:' || o.extension_id
                   WHEN o.cluster_id IS NOT NULL THEN 'arcext:cluster:' || o.cluster_id END AS subject,
         o.start_time + make_interval(secs => $2) <= now() AS overdue
    FROM operations o WHERE o.id = $1::uuid
),
delivered AS (
  DELETE FROM operation_outbox WHERE id IN (SELECT id FROM operation_outbox WHERE operation_id = $1::uuid FOR UPDATE SKIP LOCKED)
  RETURNING id
),
lock AS MATERIALIZED (
  SELECT CASE WHEN seen.status <> 'InProgress' OR seen.overdue OR seen.subject = ANY($3::text[]) THEN false
              WHEN seen.subject IS NULL THEN true
              ELSE pg_try_advisory_lock(hashtextextended(seen.subject, 0)) END AS locked
    FROM seen WHERE (SELECT count(*) FROM delivered) >= 0
),
counted AS (
  UPDATE operations o SET attempts = o.attempts + 1, updated_at = now(),
         percent_complete = CASE WHEN o.kind IN ('extension.install', 'extension.update', 'extension.upgrade', 'extension.rollback', 'extension.repair')
                                     THEN GREATEST(o.percent_complete, 10) ELSE o.percent_complete END
    FROM lock WHERE o.id = $1::uuid AND lock.locked AND o.status = 'InProgress'
  RETURNING o.*
)
SELECT 'claimed' AS state, seen.subject, true AS locked, released.n AS released, ${OPERATION_COLUMNS('c')},
       (SELECT json_build_object('id', e.id, 'name', e.name, 'spec', e.spec, 'currentVersion', e.current_version,
                 'protectedSettingsSealed', e.protected_settings_sealed, 'activeOperationId', e.active_operation_id,
                 'cluster', json_build_object('id', cl.id, 'resourceId', cl.resource_id, 'driver', cl.driver,
                                              'kubeconfigSealed', cl.kubeconfig_sealed, 'properties', cl.properties))
          FROM extensions e JOIN clusters cl ON cl.id = e.cluster_id WHERE e.id = c.extension_id) AS extension
  FROM counted c, seen, released
UNION ALL
SELECT CASE WHEN seen.status <> 'InProgress' OR lock.locked THEN 'ended' WHEN seen.overdue THEN 'overdue' ELSE 'busy' END,
       seen.subject, lock.locked, released.n, ${OPERATION_COLUMNS('seen')}, NULL
  FROM seen, lock, released WHERE NOT EXISTS (SELECT 1 FROM counted)`

/**
 * Starts an operation on `session` (see the top of this file), releasing the session's `releasing` subjects on the
 * way; `released` says how many it released (0 when it sent no statement or found no operation: the caller releases
 * them then). A 'claimed' or an 'ended' claim with `locked` set holds the subject's advisory lock on the session; the
 * caller releases it.
 */
export async function claimOperation(
  session: pg.ClientBase,
  operationId: string,
  options: { deadlineSeconds: number; heldSubjects: readonly string[]; releasing: readonly string[] },
): Promise<Claim & { released: number }> {
  // Not an operation id: no operation. Checked here, since a statement that fails on the lock session ends it.
  if (!isGuid(operationId)) return { state: 'ended', subject: null, locked: false, released: 0 }
  // Named: the session parses and plans it once, not on every claim.
  const { rows } = await session.query<ClaimRow>({
    name: 'claim-operation',
    text: CLAIM_SQL,
    values: [operationId, options.deadlineSeconds, [...options.heldSubjects], [...options.releasing]],
  })
  const row = rows[0]
  if (!row) return { state: 'ended', subject: null, locked: false, released: 0 }
  const { state, subject, locked, released, extension, ...operation } = row
  switch (state) {
    case 'claimed':
      return { state, subject, locked: true, released, operation, extension }
    case 'overdue':
      return { state, subject, locked: false, released, operation }
    case 'busy':
      return { state, subject, locked: false, released }
    default:
      return { state: 'ended', subject, locked, released }
  }
}
