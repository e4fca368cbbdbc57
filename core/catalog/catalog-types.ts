// The catalog's data types: what a validated extension-types.json holds. Kept apart from the validator
// (schema.ts) and the lookup class (lookup.ts) so that neither has to import the other for its types.

/** Parent resource types an extension can be installed under (the `{clusterResourceName}` path segment). */
export const CLUSTER_TYPES = ['connectedClusters', 'managedClusters', 'provisionedClusters', 'appliances'] as const
export type ClusterType = (typeof CLUSTER_TYPES)[number]

export const EXTENSION_SCOPES = ['cluster', 'namespace'] as const
export type ExtensionScopeKind = (typeof EXTENSION_SCOPES)[number]

/** `latestMinus n`: only the newest n+1 versions of each release train are supported (Flux: N-2 → n=2). */
export type SupportPolicy = { kind: 'all' } | { kind: 'latestMinus'; n: number }

export interface VersionSpec {
  /** Strict SemVer 2.0.0. */
  version: string
  /** YYYY-MM-DD, or YYYY-MM where the source only gives a month; null when unknown. */
  releasedOn: string | null
  notes: string[]
  /** Versions of what the extension ships, e.g. Flux release and each controller. */
  components?: Record<string, string>
  breakingChanges?: string[]
  /**
   * The oldest installed version an upgrade to this one may start from (e.g. Flux 1.23.0 needs 1.21.0 or later):
   * older installations must pass through an intermediate version first. Absent when any version may upgrade.
   */
  upgradeFrom?: string
  /**
   * The Kubernetes version this version needs, when it needs more than the type's `minKubernetesVersion` (Secret Store
   * 1.3.0 dropped Kubernetes < 1.30, which 1.4.0 reinstated). The stricter of the two applies.
   */
  minKubernetesVersion?: string
  /** Node architectures this version cannot run on, on top of the type's (Secret Store before 1.2.1: arm64). */
  unsupportedArchitectures?: string[]
  /** Where this version was verified, when it differs from the type's `source`. */
  source?: string
}

export interface ReleaseTrainSpec {
  /** Matched case-insensitively; spelled here as it is shown to callers. */
  name: string
  versions: VersionSpec[]
}

/** A value of a cluster's `properties.distribution`, with the other spellings that mean the same thing. */
export interface DistributionSpec {
  id: string
  displayName: string
  aliases: string[]
  /** A cluster of one of these types that reports no distribution is taken to be this one (managedClusters → aks). */
  impliedByClusterTypes: ClusterType[]
}

/** Links an extension type's publisher provides (extensions 2025-03-01 `AdditionalDetails`). */
export interface AdditionalDetails {
  docs?: string
  releaseNotes?: string
  troubleshootingGuide?: string
}

/** An Azure Marketplace offer's plan, as the extensionTypes API names it. */
export interface MarketplacePlan {
  publisherId: string
  offerId: string
  planId: string
}

/**
 * The per-type settings rules Azure's CLI enforces only client-side, as data: JSON Schemas (draft 2020-12 subset, checked
 * by core/json-schema.ts's ajv) over the settings maps, whose keys are Helm value paths such as `dataCollectionSettings.interval`.
 * Violations name keys and rules only, never a value (protected values are secrets, plain ones may hold ids).
 */
export interface SettingsRules {
  /** Where the rules come from; JSON has no comments. */
  $comment?: string
  /** The only release namespace the type may be installed into, or null when the caller chooses. */
  releaseNamespace: string | null
  /** Checked against properties.configurationSettings. */
  configurationSettings: Record<string, unknown> | null
  /** Checked against properties.configurationProtectedSettings. */
  configurationProtectedSettings: Record<string, unknown> | null
  /** Checked against both maps merged, for rules a key satisfies in either (the CLI reads such keys from both). */
  anySettings: Record<string, unknown> | null
  /** Whether a key may appear in only one of the two maps (the chart would get two competing values). */
  keysInOneMapOnly: boolean
  /**
   * The smallest configurationSettings the rules accept, for a type that accepts none empty (the catalog loader checks it
   * against the type's own schemas), so callers and tests have a sound starting point.
   */
  exampleSettings: Record<string, string> | null
  /** The longest extension name the type accepts (Entra Workload IAM: 20, its names feed Kubernetes labels), or null. */
  nameMaxLength: number | null
  /** Whether the extension name becomes the Helm release name (Dapr), so it must be one: a lower-case DNS name of at most 53 characters. */
  nameIsHelmReleaseName: boolean
  /**
   * The autoUpgradeMinorVersion Azure's CLI forces for the type (Data Protection: true, Chaos Studio: false), or null. A
   * request that omits it gets the forced value; one that sends the other value is refused (AutoUpgradeNotAllowed).
   */
  autoUpgradeMinorVersion: boolean | null
  /** The release train a request that names none installs from (Chaos Studio: dev), or null for the api's Stable. */
  defaultReleaseTrain: string | null
  /** Azure's own words when a second instance of a single-instance type is refused (Event Grid), or null. */
  singleInstanceMessage: string | null
}

export interface ExtensionTypeSpec {
  /** Azure's extension type name, lower-case, e.g. `microsoft.flux`. */
  type: string
  /**
   * Other names callers may install the type under (legacy or renamed names, e.g. `azuremonitor-containers`); lower-case,
   * unique across the catalog. Lookups resolve them to this entry; the extension keeps the name the caller sent.
   */
  aliases: string[]
  displayName: string
  publisher: string
  description: string
  /** `any` = every CNCF-certified distribution, including unknown ones (treated as `generic`). */
  supportedDistributions: 'any' | string[]
  supportedClusterTypes: ClusterType[]
  scope: ExtensionScopeKind
  preview: boolean
  /** MAJOR.MINOR or MAJOR.MINOR.PATCH of Kubernetes, or null for no minimum. */
  minKubernetesVersion: string | null
  /** Node architectures (lower-case, e.g. `arm64`) the type cannot run on. */
  unsupportedArchitectures: string[]
  /** Types that cannot be installed on the same cluster; must be listed on both sides. */
  conflictsWith: string[]
  /** Cluster-scoped types only: whether more than one extension of this type may exist on a cluster. */
  allowMultipleInstances: boolean
  defaultReleaseNamespace: string | null
  /** The extension name Azure forces for this type, or null when the caller chooses. */
  singletonName: string | null
  /**
   * A marketplace type's offer (Azure's extensionType `planInfo`), or null for a first-party type. Every extension of a
   * marketplace type must name this plan: `plan.name` = planId, `plan.product` = offerId, `plan.publisher` = publisherId
   * (which only api-versions from 2022-11-01 can carry).
   */
  planInfo: MarketplacePlan | null
  /** Settings rules enforced at PUT and PATCH, or null when the type has none. */
  settingsRules: SettingsRules | null
  /** YYYY-MM-DD on which Microsoft retires the type, or null; installed extensions carry a warning status until then. */
  retiresOn: string | null
  /** The publisher's links (https), answered as an extension's `additionalDetails` at 2025-03-01; null when it gives none. */
  additionalDetails: AdditionalDetails | null
  releaseTrains: ReleaseTrainSpec[]
  supportPolicy: SupportPolicy
  /** Where the version data came from. */
  source: string
}

export interface CatalogData {
  distributions: DistributionSpec[]
  types: ExtensionTypeSpec[]
}
