// The registry of the extensions api-versions this RP serves (spec/README.md §8.2): each version is one object in
// api/versions/v{version}/extensions.ts with its request schemas, PATCH policy and converter; the static checks are
// derived here, where the order of the versions is known. Routes pick the version by api-version once.
import type { ExtensionVersion, ExtensionVersionDefinition } from './extension-version.js'
import { servedVersion } from './extension-static-checks.js'
import { extensions as v20210901 } from './v2021-09-01/extensions.js'
import { extensions as v20220301 } from './v2022-03-01/extensions.js'
import { extensions as v20220701 } from './v2022-07-01/extensions.js'
import { extensions as v20221101 } from './v2022-11-01/extensions.js'
import { extensions as v20230501 } from './v2023-05-01/extensions.js'
import { extensions as v20241101 } from './v2024-11-01/extensions.js'
import { extensions as v20250301 } from './v2025-03-01/extensions.js'

/** Every extensions api-version served, oldest first, one folder each (the shape of ARO-RP's pkg/api/vYYYYMMDD). */
const SERVED: readonly ExtensionVersionDefinition[] = [v20210901, v20220301, v20220701, v20221101, v20230501, v20241101, v20250301]

export const EXTENSION_API_VERSIONS: Record<string, ExtensionVersion> = Object.fromEntries(SERVED.map((definition, i) => [definition.version, servedVersion(definition, SERVED.slice(i + 1))]))

/** Newest first, as the registration and the OpenAPI document list them. */
export const SUPPORTED_EXTENSION_API_VERSIONS = Object.keys(EXTENSION_API_VERSIONS).sort().reverse()

export function extensionApiVersion(version: string): ExtensionVersion {
  const found = EXTENSION_API_VERSIONS[version]
  if (!found) throw new Error(`api-version ${version} passed the api-version hook but has no converter`)
  return found
}
