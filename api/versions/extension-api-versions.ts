// What differs between the extensions api-versions this RP serves (spec/README.md §8.2), and the registry of them:
// each version declares its own entry in api/versions/v{version}/extensions.ts. Routes pick the entry by api-version
// once; only the converters read it.
import { extensions as v20210901 } from './v2021-09-01/extensions.js'
import { extensions as v20220301 } from './v2022-03-01/extensions.js'
import { extensions as v20220701 } from './v2022-07-01/extensions.js'
import { extensions as v20221101 } from './v2022-11-01/extensions.js'
import { extensions as v20230501 } from './v2023-05-01/extensions.js'
import { extensions as v20241101 } from './v2024-11-01/extensions.js'
import { extensions as v20250301 } from './v2025-03-01/extensions.js'

export interface ExtensionApiVersion {
  version: string
  /** Wire name of the installed version: absent in 2021-09-01, installedVersion until 2022-07-01. */
  installedVersionField: 'currentVersion' | 'installedVersion' | null
  /** plan and isSystemExtension exist from 2022-11-01. */
  hasPlanAndSystemFlag: boolean
  /** 2021-09-01 and 2022-03-01 answer every accepted PATCH with 202, even when nothing changes. */
  noOpPatchStatus: 200 | 202
  /** Parent `{clusterRp}/{clusterResourceName}` pairs the version admits (lower-case; extension-parents.ts). */
  parents: readonly string[]
  /**
   * The 2025-03-01 shape: autoUpgradeMode, managedBy, managementDetails, additionalDetails, extensionState,
   * user-assigned identities (also in PATCH) and the Workload aksAssignedIdentity (docs/arm-rules.md rules 58-60).
   */
  hasAutoUpgradeMode: boolean
}

/** Every extensions api-version served, one folder each (the shape of ARO-RP's pkg/api/vYYYYMMDD). */
const SERVED: readonly ExtensionApiVersion[] = [v20250301, v20241101, v20230501, v20221101, v20220701, v20220301, v20210901]

export const EXTENSION_API_VERSIONS: Record<string, ExtensionApiVersion> = Object.fromEntries(SERVED.map((entry) => [entry.version, entry]))

export const SUPPORTED_EXTENSION_API_VERSIONS = Object.keys(EXTENSION_API_VERSIONS).sort().reverse()

export function extensionApiVersion(version: string): ExtensionApiVersion {
  const found = EXTENSION_API_VERSIONS[version]
  if (!found) throw new Error(`api-version ${version} passed the api-version hook but has no converter`)
  return found
}
