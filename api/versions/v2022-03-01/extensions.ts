// extensions at 2022-03-01: the installed version as `installedVersion`, a user-assigned aksAssignedIdentity, the
// provisionedClusters parent; every accepted PATCH answers 202, even when nothing changes.
import { commonWire } from '../extension-convert.js'
import { SYSTEM_ASSIGNED_VIEW } from '../extension-identity.js'
import { THREE_PARENTS } from '../extension-parents.js'
import { COMMON_PUT_PROPERTIES, aksAssignedIdentity, identity, putBody } from '../extension-request-schemas.js'
import type { ExtensionVersionDefinition } from '../extension-version.js'
import { extensions as v20210901 } from '../v2021-09-01/extensions.js'

export const extensions: ExtensionVersionDefinition = {
  ...v20210901,
  version: '2022-03-01',
  parents: THREE_PARENTS,
  putSchema: putBody({ identity: identity(['SystemAssigned']) }, { ...COMMON_PUT_PROPERTIES, aksAssignedIdentity: aksAssignedIdentity(['SystemAssigned', 'UserAssigned']) }),
  toWire: (row) => {
    const wire = commonWire(row, SYSTEM_ASSIGNED_VIEW)
    wire.properties.installedVersion = row.currentVersion
    return wire.resource
  },
}
