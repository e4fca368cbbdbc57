// extension.delete: remove the release, then the resource. Removing an absent release is success.
import { finishExtensionOperation, type Operation } from '../../core/store/operations.js'
import type { WorkerContext } from '../context.js'
import { loadExtensionTarget } from './extension-target.js'

export async function uninstallExtension(ctx: WorkerContext, op: Operation): Promise<void> {
  const target = await loadExtensionTarget(ctx, op)
  if (target) await target.driver.uninstall(target.cluster, target.extension.name)
  await finishExtensionOperation(ctx.db, op, { status: 'Succeeded' })
}
