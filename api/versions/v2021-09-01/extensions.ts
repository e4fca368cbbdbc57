// extensions at 2021-09-01: a documented leniency (Azure no longer registers it); no installed version on the wire,
// and its path enums admit two parents only.
import type { ExtensionApiVersion } from '../extension-api-versions.js'
import { TWO_PARENTS } from '../extension-parents.js'

export const extensions: ExtensionApiVersion = {
  version: '2021-09-01',
  installedVersionField: null,
  hasPlanAndSystemFlag: false,
  noOpPatchStatus: 202,
  parents: TWO_PARENTS,
  hasAutoUpgradeMode: false,
}
