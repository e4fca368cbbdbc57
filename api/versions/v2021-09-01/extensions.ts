// extensions at 2021-09-01: a documented leniency (Azure no longer registers it). The base every later version
// composes: no installed version on the wire, a system-assigned identity only, path enums admitting two parents.
import type { ExtensionSpec } from '../../../core/domain/model.js'
import { commonWire, extensionSpecFromPatch, extensionSpecFromPut, type ExtensionPutBody } from '../extension-convert.js'
import { SYSTEM_ASSIGNED_VIEW } from '../extension-identity.js'
import { TWO_PARENTS } from '../extension-parents.js'
import { COMMON_PATCH_PROPERTIES, COMMON_PUT_PROPERTIES, aksAssignedIdentity, identity, patchBody, putBody } from '../extension-request-schemas.js'
import type { ExtensionVersionDefinition } from '../extension-version.js'

/**
 * A PUT at a version that cannot show a user-assigned identity or the Workload type: a GET-modify-PUT leaves them
 * out without meaning to remove them, so they are kept.
 */
function specFromPutKeepingUnseen(body: ExtensionPutBody, previous: ExtensionSpec | null, tenantId: string): ExtensionSpec {
  const spec = extensionSpecFromPut(body, previous, tenantId)
  return {
    ...spec,
    identity: body.identity === undefined && previous?.identity?.type === 'UserAssigned' ? previous.identity : spec.identity,
    aksAssignedIdentity: !body.properties.aksAssignedIdentity && previous?.aksAssignedIdentity?.type === 'Workload' ? previous.aksAssignedIdentity : spec.aksAssignedIdentity,
  }
}

export const extensions: ExtensionVersionDefinition = {
  version: '2021-09-01',
  parents: TWO_PARENTS,
  noOpPatchStatus: 202,
  putSchema: putBody(
    { identity: identity(['SystemAssigned']) },
    // errorInfo is writable in this swagger only (read-only from 2022-03-01); ignored in a request.
    { ...COMMON_PUT_PROPERTIES, errorInfo: { type: ['object', 'null'] }, aksAssignedIdentity: aksAssignedIdentity(['SystemAssigned']) },
  ),
  patchSchema: patchBody({}, COMMON_PATCH_PROPERTIES),
  specFromPut: specFromPutKeepingUnseen,
  specFromPatch: extensionSpecFromPatch,
  toWire: (row) => commonWire(row, SYSTEM_ASSIGNED_VIEW).resource,
}
