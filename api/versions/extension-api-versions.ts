// What differs between the extensions api-versions this RP serves (spec/README.md §8.2). Routes pick the entry
// by api-version once; only the converters read it.

export interface ExtensionApiVersion {
  version: string
  /** Wire name of the installed version: absent in 2021-09-01, installedVersion until 2022-07-01. */
  installedVersionField: 'currentVersion' | 'installedVersion' | null
  /** plan and isSystemExtension exist from 2022-11-01. */
  hasPlanAndSystemFlag: boolean
  /** 2021-09-01 and 2022-03-01 answer every accepted PATCH with 202, even when nothing changes. */
  noOpPatchStatus: 200 | 202
  /**
   * Parent `{clusterRp}/{clusterResourceName}` pairs the version admits (lower-case): the path enums of 2021-09-01;
   * from 2022-03-01 the common parameters are free strings, and Azure accepts `appliances` from 2022-11-01.
   */
  parents: readonly string[]
  /**
   * The 2025-03-01 shape: autoUpgradeMode, managedBy, managementDetails, additionalDetails, extensionState,
   * user-assigned identities (also in PATCH) and the Workload aksAssignedIdentity (docs/arm-rules.md rules 58-60).
   */
  hasAutoUpgradeMode: boolean
}

const TWO_PARENTS = ['microsoft.kubernetes/connectedclusters', 'microsoft.containerservice/managedclusters']
const THREE_PARENTS = [...TWO_PARENTS, 'microsoft.hybridcontainerservice/provisionedclusters']
const FOUR_PARENTS = [...THREE_PARENTS, 'microsoft.resourceconnector/appliances']

const base = { hasAutoUpgradeMode: false, parents: THREE_PARENTS }

export const EXTENSION_API_VERSIONS: Record<string, ExtensionApiVersion> = {
  '2025-03-01': { ...base, version: '2025-03-01', installedVersionField: 'currentVersion', hasPlanAndSystemFlag: true, noOpPatchStatus: 200, parents: FOUR_PARENTS, hasAutoUpgradeMode: true },
  // Same wire shape as 2023-05-01 (spec/README.md §8.2); Terraform's azurerm and Azure Service Operator call it.
  '2024-11-01': { ...base, version: '2024-11-01', installedVersionField: 'currentVersion', hasPlanAndSystemFlag: true, noOpPatchStatus: 200, parents: FOUR_PARENTS },
  '2023-05-01': { ...base, version: '2023-05-01', installedVersionField: 'currentVersion', hasPlanAndSystemFlag: true, noOpPatchStatus: 200, parents: FOUR_PARENTS },
  '2022-11-01': { ...base, version: '2022-11-01', installedVersionField: 'currentVersion', hasPlanAndSystemFlag: true, noOpPatchStatus: 200, parents: FOUR_PARENTS },
  '2022-07-01': { ...base, version: '2022-07-01', installedVersionField: 'installedVersion', hasPlanAndSystemFlag: false, noOpPatchStatus: 200 },
  '2022-03-01': { ...base, version: '2022-03-01', installedVersionField: 'installedVersion', hasPlanAndSystemFlag: false, noOpPatchStatus: 202 },
  '2021-09-01': { ...base, version: '2021-09-01', installedVersionField: null, hasPlanAndSystemFlag: false, noOpPatchStatus: 202, parents: TWO_PARENTS },
}

export const SUPPORTED_EXTENSION_API_VERSIONS = Object.keys(EXTENSION_API_VERSIONS).sort().reverse()

export function extensionApiVersion(version: string): ExtensionApiVersion {
  const found = EXTENSION_API_VERSIONS[version]
  if (!found) throw new Error(`api-version ${version} passed the api-version hook but has no converter`)
  return found
}
