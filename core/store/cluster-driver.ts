// Which driver carries out a cluster's extension operations, and the kubeconfig the helm driver uses. The kubeconfig
// is checked against the kubeconfig rules (core/kubeconfig-rules.ts) and sealed here (core/secrets); it never leaves
// the store in plaintext except into a worker's driver call, which checks it again.
import type { Db } from '../db/client.js'
import { OperationInProgressError } from '../domain/errors.js'
import { checkKubeconfig, KubeconfigRejected, type KubeconfigPolicy } from '../kubeconfig-rules.js'
import type { SecretBox } from '../secrets.js'
import { parseClusterResourceId } from './cluster-resource-id.js'

/** Every driver a worker offers (workers/drivers/index.ts builds exactly these). */
export const CLUSTER_DRIVERS = ['simulated', 'helm'] as const
export type ClusterDriverName = (typeof CLUSTER_DRIVERS)[number]

/** Drivers that talk to a real cluster and so need its kubeconfig. */
const NEEDS_KUBECONFIG: ReadonlySet<ClusterDriverName> = new Set(['helm'])

export interface ClusterDriverSetting {
  driver: ClusterDriverName
  /** A new kubeconfig; null removes the stored one; absent keeps it. */
  kubeconfig?: string | null
}

/** What may be shown about a cluster's driver: never the kubeconfig itself. */
export interface ClusterDriverView {
  clusterId: string
  driver: string
  kubeconfigSet: boolean
}

/** A setting that cannot be applied, with the property it concerns. */
export class InvalidClusterDriverSetting extends Error {
  constructor(
    readonly target: string,
    message: string,
  ) {
    super(message)
  }
}

/** The kubeconfig rules (core/kubeconfig-rules.ts), as a setting problem naming the offending field. */
function checkKubeconfigSetting(kubeconfig: string, policy: KubeconfigPolicy): void {
  try {
    checkKubeconfig(kubeconfig, policy)
  } catch (error) {
    if (error instanceof KubeconfigRejected) throw new InvalidClusterDriverSetting(error.target, error.message)
    throw error
  }
}

export function clusterDriverView(cluster: { resourceId: string; driver: string; kubeconfigSealed: string | null }): ClusterDriverView {
  return { clusterId: cluster.resourceId, driver: cluster.driver, kubeconfigSet: cluster.kubeconfigSealed !== null }
}

export async function getClusterDriver(db: Db, clusterId: string): Promise<ClusterDriverView | null> {
  const id = parseClusterResourceId(clusterId)
  if ('problem' in id) throw new InvalidClusterDriverSetting('clusterId', id.problem)
  const cluster = await db.cluster.findUnique({ where: { idKey: id.idKey }, select: { resourceId: true, driver: true, kubeconfigSealed: true } })
  return cluster ? clusterDriverView(cluster) : null
}

/**
 * Points a registered cluster at a driver. Refused while one of its extensions has an operation in flight, so no
 * operation is carried out half by one driver and half by another. Returns null when the cluster is not registered.
 */
export async function setClusterDriver(db: Db, secrets: SecretBox, clusterId: string, setting: ClusterDriverSetting, policy: KubeconfigPolicy): Promise<ClusterDriverView | null> {
  const id = parseClusterResourceId(clusterId)
  if ('problem' in id) throw new InvalidClusterDriverSetting('clusterId', id.problem)
  if (!(CLUSTER_DRIVERS as readonly string[]).includes(setting.driver)) {
    throw new InvalidClusterDriverSetting('driver', `The driver '${setting.driver}' is unknown; use one of: ${CLUSTER_DRIVERS.join(', ')}.`)
  }
  if (typeof setting.kubeconfig === 'string') checkKubeconfigSetting(setting.kubeconfig, policy)
  const sealed = typeof setting.kubeconfig === 'string' ? secrets.seal(setting.kubeconfig) : setting.kubeconfig

  return db.$transaction(async (tx) => {
    // Row lock: two concurrent driver changes of one cluster apply one after the other.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM clusters WHERE id_key = ${id.idKey} FOR UPDATE`
    const clusterRowId = locked[0]?.id
    if (!clusterRowId) return null
    const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: clusterRowId } })
    const busy = await tx.extension.findFirst({ where: { clusterId: cluster.id, activeOperationId: { not: null } }, select: { resourceId: true, activeOperationId: true } })
    if (busy) throw new OperationInProgressError(busy.resourceId, busy.activeOperationId)
    const kubeconfigSealed = sealed === undefined ? cluster.kubeconfigSealed : sealed
    if (NEEDS_KUBECONFIG.has(setting.driver) && kubeconfigSealed === null) {
      throw new InvalidClusterDriverSetting('kubeconfig', `The ${setting.driver} driver needs the cluster's kubeconfig; pass it as 'kubeconfig'.`)
    }
    const updated = await tx.cluster.update({ where: { id: cluster.id }, data: { driver: setting.driver, kubeconfigSealed } })
    return clusterDriverView(updated)
  })
}

/**
 * Whether a cluster already runs `setting` (the same driver and, when the setting names one, the same kubeconfig),
 * so re-applying it can be skipped. False when the cluster is not registered or its kubeconfig no longer opens.
 */
export async function clusterDriverIs(db: Db, secrets: SecretBox, clusterId: string, setting: ClusterDriverSetting): Promise<boolean> {
  const id = parseClusterResourceId(clusterId)
  if ('problem' in id) return false
  const cluster = await db.cluster.findUnique({ where: { idKey: id.idKey }, select: { driver: true, kubeconfigSealed: true } })
  if (!cluster || cluster.driver !== setting.driver) return false
  if (setting.kubeconfig === undefined) return true
  if (setting.kubeconfig === null || cluster.kubeconfigSealed === null) return setting.kubeconfig === cluster.kubeconfigSealed
  try {
    return secrets.open(cluster.kubeconfigSealed) === setting.kubeconfig
  } catch {
    return false
  }
}
