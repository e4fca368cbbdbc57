// What the auto-upgrade sweep reads: the extensions it may upgrade, a page at a time in id order, and the versions
// their earlier auto-upgrades failed to reach (read from the operations themselves, one statement per page).
import type { Db } from '../db/client.js'
import type { Extension } from '../db/generated/client.js'

/**
 * Extensions with autoUpgradeMinorVersion=true, an installed version and nothing in flight, after `after` by id.
 * Failed ones too: one whose auto-upgrade failed still runs its previous release (the sweep decides).
 */
export function listAutoUpgradeCandidates(db: Db, after: string | null, take: number): Promise<Extension[]> {
  return db.extension.findMany({
    where: {
      provisioningState: { in: ['Succeeded', 'Failed'] },
      activeOperationId: null,
      currentVersion: { not: null },
      spec: { path: ['autoUpgradeMinorVersion'], equals: true },
      ...(after !== null ? { id: { gt: after } } : {}),
    },
    orderBy: { id: 'asc' },
    take,
  })
}

export interface AutoUpgradeHistory {
  extensionId: string
  /** Versions this extension's failed auto-upgrades aimed at. */
  failedTargets: string[]
  /** `<kind> <status>` of its latest operation. */
  latest: string | null
}

export async function autoUpgradeHistories(db: Db, extensions: readonly Pick<Extension, 'id' | 'idKey'>[]): Promise<AutoUpgradeHistory[]> {
  if (extensions.length === 0) return []
  // resource_id_key is indexed; extension_id keeps out the operations of an earlier extension of the same name.
  const rows = await db.$queryRaw<{ id: string; versions: string[] | null; latest: string | null }[]>`
    SELECT extension_id::text AS id,
           array_agg(DISTINCT properties->>'targetVersion') FILTER (WHERE kind = 'extension.upgrade' AND status = 'Failed' AND properties ? 'targetVersion') AS versions,
           (array_agg(kind || ' ' || status ORDER BY start_time DESC))[1] AS latest
      FROM operations
     WHERE resource_id_key = ANY(${extensions.map((e) => e.idKey)}::text[]) AND extension_id = ANY(${extensions.map((e) => e.id)}::uuid[])
     GROUP BY extension_id`
  return rows.map((row) => ({ extensionId: row.id, failedTargets: row.versions ?? [], latest: row.latest }))
}
