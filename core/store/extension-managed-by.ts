// Marks an extension as managed by another resource (managedBy), as the managing Azure service would when it creates
// it; users may then only read it (docs/arm-rules.md rule 60). Only the operator endpoint calls this.
import type { Db } from '../db/client.js'
import type { Prisma } from '../db/client.js'
import { ConcurrentModificationError } from '../domain/errors.js'
import { extensionDocument, findExtension, newEtag, type Extension } from './extensions.js'

/** Null when no extension has that id. The etag changes, since GET shows managedBy. */
export async function setExtensionManagedBy(db: Db, idKey: string, managedBy: string | null): Promise<Extension | null> {
  const current = await findExtension(db, idKey)
  if (!current) return null
  const spec = { ...extensionDocument(current).spec, managedBy }
  const etag = newEtag()
  const { count } = await db.extension.updateMany({ where: { id: current.id, etag: current.etag }, data: { spec: spec as unknown as Prisma.InputJsonValue, etag } })
  if (count === 0) throw new ConcurrentModificationError(current.resourceId)
  return { ...current, spec: spec as unknown as Prisma.JsonValue, etag }
}
