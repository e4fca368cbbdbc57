// extensions at 2022-11-01: adds the marketplace `plan` and isSystemExtension, renames installedVersion to
// currentVersion, and admits the appliances parent.
import type { Extension } from '../../../core/store/extensions.js'
import { commonWire, type WireExtension } from '../extension-convert.js'
import { SYSTEM_ASSIGNED_VIEW, type IdentityView } from '../extension-identity.js'
import { FOUR_PARENTS } from '../extension-parents.js'
import { plan, withTopLevel } from '../extension-request-schemas.js'
import type { ExtensionVersionDefinition } from '../extension-version.js'
import { extensions as v20220701 } from '../v2022-07-01/extensions.js'

/** The 2022-11-01 answer with the identities `view` shows; 2025-03-01 builds on it. */
export function planWire(row: Extension, view: IdentityView): WireExtension {
  const wire = commonWire(row, view)
  wire.properties.currentVersion = row.currentVersion
  wire.properties.isSystemExtension = false
  if (wire.spec.plan) wire.resource.plan = wire.spec.plan
  return wire
}

export const extensions: ExtensionVersionDefinition = {
  ...v20220701,
  version: '2022-11-01',
  parents: FOUR_PARENTS,
  putSchema: withTopLevel(v20220701.putSchema, { plan }),
  toWire: (row) => planWire(row, SYSTEM_ASSIGNED_VIEW).resource,
}
