// extensions at 2022-07-01: the installed version is still `installedVersion`.
import type { ExtensionApiVersion } from '../extension-api-versions.js'
import { THREE_PARENTS } from '../extension-parents.js'

export const extensions: ExtensionApiVersion = {
  version: '2022-07-01',
  installedVersionField: 'installedVersion',
  hasPlanAndSystemFlag: false,
  noOpPatchStatus: 200,
  parents: THREE_PARENTS,
  hasAutoUpgradeMode: false,
}
