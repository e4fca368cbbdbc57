// extensions at 2022-03-01: every accepted PATCH answers 202, even when nothing changes.
import type { ExtensionApiVersion } from '../extension-api-versions.js'
import { THREE_PARENTS } from '../extension-parents.js'

export const extensions: ExtensionApiVersion = {
  version: '2022-03-01',
  installedVersionField: 'installedVersion',
  hasPlanAndSystemFlag: false,
  noOpPatchStatus: 202,
  parents: THREE_PARENTS,
  hasAutoUpgradeMode: false,
}
