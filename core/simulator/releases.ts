// The simulated driver's installed releases: what a simulated cluster "has installed", kept in Postgres so an
// emulator restart keeps it and every worker process sees the same state. The per-operation statements are named
// statements on the driver pool (driverRows): a Prisma query would be compiled and interpreted again on every call.
import { Prisma, driverRows, type Db } from '../db/client.js'
import type { ClusterResourceId } from '../store/cluster-resource-id.js'
import type { SimulatedFault } from '../db/generated/client.js'

export interface SimulatedReleaseFields {
  namespace: string
  extensionType: string
  version: string
  status: 'deployed'
  valuesDigest: string
}

export interface StoredRelease {
  releaseName: string
  namespace: string
  extensionType: string
  version: string
  status: string
  valuesDigest: string
}

/** A fault rule as a simulated step weighs it. */
export type CandidateFault = Pick<SimulatedFault, 'id' | 'kind' | 'clusterIdKey' | 'extensionType' | 'operations' | 'transient' | 'probability' | 'durationMs' | 'message'>

/**
 * What one install, upgrade or uninstall step reads, in one statement: the release as installed now, and the fault
 * rules that could apply to the call and still have calls left, oldest first. The rules are matched on
 * `extensionType`, or when it is null on the installed release's type (an uninstall knows no other); when it is
 * undefined (not known yet) rules for every type are returned, for the caller to match once it knows.
 */
export async function releaseWithCandidateFaults(
  db: Db,
  call: { clusterId: string; clusterIdKey: string; releaseName: string; extensionType: string | null | undefined },
): Promise<{ release: StoredRelease | null; faults: CandidateFault[] }> {
  const anyType = call.extensionType === undefined
  const rows = await driverRows<{ release: StoredRelease | null; faults: CandidateFault[] }>(
    db,
    'simulated-release-with-faults',
    Prisma.sql`
    WITH existing AS MATERIALIZED (
      SELECT release_name AS "releaseName", namespace, extension_type AS "extensionType", version, status, values_digest AS "valuesDigest"
        FROM simulated_releases WHERE cluster_id = ${call.clusterId}::uuid AND release_name = ${call.releaseName})
    SELECT (SELECT row_to_json(existing) FROM existing) AS release,
           COALESCE((SELECT json_agg(json_build_object('id', f.id, 'kind', f.kind, 'clusterIdKey', f.cluster_id_key, 'extensionType', f.extension_type,
                                                       'operations', f.operations, 'transient', f.transient, 'probability', f.probability,
                                                       'durationMs', f.duration_ms, 'message', f.message) ORDER BY f.created_at, f.id)
                       FROM simulated_faults f
                      WHERE (f.cluster_id_key IS NULL OR f.cluster_id_key = ${call.clusterIdKey})
                        AND (f.extension_type IS NULL OR ${anyType} OR f.extension_type = lower(COALESCE(${call.extensionType ?? null}, (SELECT "extensionType" FROM existing))))
                        AND (f.remaining_calls IS NULL OR f.remaining_calls > 0)), '[]'::json) AS faults`,
  )
  const row = rows[0]
  return { release: row?.release ?? null, faults: row?.faults ?? [] }
}

/** Installs the release, or upgrades it (one revision more) when it is there. */
export async function saveSimulatedRelease(db: Db, clusterId: string, releaseName: string, fields: SimulatedReleaseFields): Promise<void> {
  await driverRows(
    db,
    'save-simulated-release',
    Prisma.sql`
    INSERT INTO simulated_releases (cluster_id, release_name, namespace, extension_type, version, status, values_digest)
    VALUES (${clusterId}::uuid, ${releaseName}, ${fields.namespace}, ${fields.extensionType}, ${fields.version}, ${fields.status}, ${fields.valuesDigest})
    ON CONFLICT (cluster_id, release_name) DO UPDATE
       SET namespace = EXCLUDED.namespace, extension_type = EXCLUDED.extension_type, version = EXCLUDED.version, status = EXCLUDED.status,
           values_digest = EXCLUDED.values_digest, revision = simulated_releases.revision + 1, updated_at = now()`,
  )
}

export async function removeSimulatedRelease(db: Db, clusterId: string, releaseName: string): Promise<void> {
  await db.$executeRaw`DELETE FROM simulated_releases WHERE cluster_id = ${clusterId}::uuid AND release_name = ${releaseName}`
}

/** A change made to a simulated release behind arcext's back, so users can rehearse drift detection and repair. */
export type ReleaseTamper = { change: 'remove' } | { change: 'changeValues' } | { change: 'changeVersion'; version: string } | { change: 'markFailed' }

/**
 * Changes a release as someone with cluster access would: removes it, changes its values (its recorded digest no
 * longer matches any apply), moves it to another version, or leaves it failed. Each is a new revision; false when the
 * cluster has no such release.
 */
export async function tamperSimulatedRelease(db: Db, clusterIdKey: string, releaseName: string, tamper: ReleaseTamper): Promise<boolean> {
  if (tamper.change === 'remove') {
    const removed = await db.$executeRaw`
      DELETE FROM simulated_releases r USING clusters c WHERE c.id = r.cluster_id AND c.id_key = ${clusterIdKey} AND r.release_name = ${releaseName}`
    return removed === 1
  }
  const version = tamper.change === 'changeVersion' ? tamper.version : null
  const changed = await db.$executeRaw`
    UPDATE simulated_releases r
       SET version = COALESCE(${version}, r.version),
           values_digest = CASE WHEN ${tamper.change} = 'changeValues' THEN 'tampered.' || gen_random_uuid() ELSE r.values_digest END,
           status = CASE WHEN ${tamper.change} = 'markFailed' THEN 'failed' ELSE r.status END,
           revision = r.revision + 1, updated_at = now()
      FROM clusters c
     WHERE c.id = r.cluster_id AND c.id_key = ${clusterIdKey} AND r.release_name = ${releaseName}`
  return changed === 1
}

/** A release the simulated driver has installed, as the admin API shows it. */
export interface SimulatedReleaseView {
  clusterId: string
  releaseName: string
  namespace: string
  extensionType: string
  version: string
  revision: number
  status: string
  updatedAt: string
}

/** The releases the simulated driver has installed on one cluster, by release name. */
export async function listSimulatedReleases(db: Db, cluster: ClusterResourceId): Promise<SimulatedReleaseView[]> {
  const rows = await db.simulatedRelease.findMany({
    where: { cluster: { idKey: cluster.idKey } },
    include: { cluster: { select: { resourceId: true } } },
    orderBy: { releaseName: 'asc' },
  })
  return rows.map((row) => ({
    clusterId: row.cluster.resourceId,
    releaseName: row.releaseName,
    namespace: row.namespace,
    extensionType: row.extensionType,
    version: row.version,
    revision: row.revision,
    status: row.status,
    updatedAt: row.updatedAt.toISOString(),
  }))
}
