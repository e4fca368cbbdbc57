// What differs between the extensionTypes api-versions this RP serves. Routes pick the entry by api-version once;
// only the converters (extension-type-convert.ts) and the route table read it.

export interface ExtensionTypeApiVersion {
  version: string
  /**
   * Wire shape of a type: `resource` (2023-05-01-preview on: clusterScopeSettings nested under `properties`,
   * isManagedIdentityRequired), `legacy` (2022-01-15-preview: `clusterTypes`, flat clusterScopeSettings, no text),
   * `examples` (2023-05-01: both placements of clusterScopeSettings, since its examples disagree).
   */
  typeShape: 'resource' | 'legacy' | 'examples'
  /** Version lists: one `{releaseTrain, versions}` entry per train, or one version resource per version. */
  versionList: 'perTrain' | 'resources'
  /** "Filter results by release train (default value is stable)" in the preview swaggers that have version resources. */
  stableByDefault: boolean
  /** `properties.releaseTrains` of a type: 2023-05-01-preview's ExtensionType does not declare it. */
  listsReleaseTrains: boolean
  /** 2022-01-15-preview declares only the type lists, the cluster-level type and the location-level version list. */
  allOperations: boolean
}

const resourceVersion = { typeShape: 'resource', versionList: 'resources', stableByDefault: true, allOperations: true, listsReleaseTrains: true } as const

export const EXTENSION_TYPE_API_VERSIONS_TABLE: Record<string, ExtensionTypeApiVersion> = {
  '2024-11-01-preview': { ...resourceVersion, version: '2024-11-01-preview' },
  // What the az CLI's k8s-extension calls.
  '2023-05-01-preview': { ...resourceVersion, version: '2023-05-01-preview', listsReleaseTrains: false },
  // Older az CLIs; their models read `properties.clusterTypes`, and `-o table` fails without it.
  '2022-01-15-preview': { version: '2022-01-15-preview', typeShape: 'legacy', versionList: 'perTrain', stableByDefault: false, allOperations: false, listsReleaseTrains: true },
  // Leniency: Azure registers no 2023-05-01 for extensionTypes, but its stable/2023-05-01 folder ships a swagger and
  // examples for it, which earlier arcext clients followed.
  '2023-05-01': { version: '2023-05-01', typeShape: 'examples', versionList: 'perTrain', stableByDefault: false, allOperations: true, listsReleaseTrains: true },
}

export const EXTENSION_TYPE_API_VERSIONS = Object.keys(EXTENSION_TYPE_API_VERSIONS_TABLE)

/** The versions that declare every operation (2022-01-15-preview declares four). */
export const FULL_EXTENSION_TYPE_API_VERSIONS = EXTENSION_TYPE_API_VERSIONS.filter((v) => EXTENSION_TYPE_API_VERSIONS_TABLE[v]?.allOperations)

export function extensionTypeApiVersion(version: string): ExtensionTypeApiVersion {
  const found = EXTENSION_TYPE_API_VERSIONS_TABLE[version]
  if (!found) throw new Error(`api-version ${version} passed the api-version hook but has no extensionTypes converter`)
  return found
}
