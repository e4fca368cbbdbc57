// What differs between the extensionTypes api-versions this RP serves, and the registry of them: each version declares
// its own entry in api/versions/v{version}/extension-types.ts. Routes pick the entry by api-version once; only the
// route table reads the rest.
import type { ExtensionTypeSpec } from '../../core/catalog/index.js'
import type { ExtensionTypeResource, TrainVersions } from './extension-type-convert.js'
import { extensionTypes as v20220115preview } from './v2022-01-15-preview/extension-types.js'
import { extensionTypes as v20230501 } from './v2023-05-01/extension-types.js'
import { extensionTypes as v20230501preview } from './v2023-05-01-preview/extension-types.js'
import { extensionTypes as v20241101preview } from './v2024-11-01-preview/extension-types.js'

export interface ExtensionTypeApiVersion {
  version: string
  /** A catalog entry as this version answers it, in the collection `collectionId`. */
  typeToWire(spec: ExtensionTypeSpec, collectionId: string): ExtensionTypeResource
  /** A type's version list from its versions per release train (newest first), in `collectionId`. */
  versionListToWire(spec: ExtensionTypeSpec, trains: readonly TrainVersions[], collectionId: string): { value: unknown[] }
  /** "Filter results by release train (default value is stable)" in the preview swaggers that have version resources. */
  stableByDefault: boolean
  /** 2022-01-15-preview declares only the type lists, the cluster-level type and the location-level version list. */
  allOperations: boolean
}

/** Every extensionTypes api-version served, one folder each, in the order the routes and the registration list them. */
const SERVED: readonly ExtensionTypeApiVersion[] = [v20241101preview, v20230501preview, v20220115preview, v20230501]

export const EXTENSION_TYPE_API_VERSIONS_TABLE: Record<string, ExtensionTypeApiVersion> = Object.fromEntries(SERVED.map((entry) => [entry.version, entry]))

export const EXTENSION_TYPE_API_VERSIONS = Object.keys(EXTENSION_TYPE_API_VERSIONS_TABLE)

/** The versions that declare every operation (2022-01-15-preview declares four). */
export const FULL_EXTENSION_TYPE_API_VERSIONS = EXTENSION_TYPE_API_VERSIONS.filter((v) => EXTENSION_TYPE_API_VERSIONS_TABLE[v]?.allOperations)

export function extensionTypeApiVersion(version: string): ExtensionTypeApiVersion {
  const found = EXTENSION_TYPE_API_VERSIONS_TABLE[version]
  if (!found) throw new Error(`api-version ${version} passed the api-version hook but has no extensionTypes converter`)
  return found
}
