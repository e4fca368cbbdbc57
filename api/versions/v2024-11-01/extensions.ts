// extensions at 2024-11-01: the same wire shape as 2023-05-01 (spec/README.md §8.2); Terraform's azurerm and Azure
// Service Operator call it.
import type { ExtensionApiVersion } from '../extension-api-versions.js'
import { FOUR_PARENTS } from '../extension-parents.js'

export const extensions: ExtensionApiVersion = {
  version: '2024-11-01',
  installedVersionField: 'currentVersion',
  hasPlanAndSystemFlag: true,
  noOpPatchStatus: 200,
  parents: FOUR_PARENTS,
  hasAutoUpgradeMode: false,
}
