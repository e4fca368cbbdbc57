// Install-time rules over the catalog, one pure function per rule. Each returns reasons, not HTTP
// errors, so api/ and workers/ can share them; `status` only says which ARM status a reason maps to.
// Every behaviour comes from the catalog data: nothing here knows any extension type by name.
import type { ClusterFacts, ExtensionScope, ExtensionStatus, Plan } from '../domain/model.js'
import { defaultCatalog } from './catalog.js'
import { isKubernetesVersionBelow, normalizeArchitecture, parseKubernetesVersion } from './reported-facts.js'
import type { Catalog } from './lookup.js'
import { GENERIC_DISTRIBUTION } from './lookup.js'
import { allVersionsNewestFirst, findReleaseTrain, findVersion, isSupported, releaseTrainNames, supportedVersions } from './release-trains.js'
import type { ExtensionTypeSpec, ReleaseTrainSpec, VersionSpec } from './catalog-types.js'
import { settingsProblems, type SettingsProblem } from './settings-schema.js'
import { ErrorCodes, type RuleCode } from '../domain/error-catalogue.js'
import { checkReservedSettings } from './reserved-settings.js'
import { releaseValues } from '../domain/drift.js'
import { compareSemver, isNewer, newestFirst, parseSemver, sameMajor, sameMinor } from './semver.js'

/** A rule's name is its error code (core/domain/error-catalogue.ts). */
export type RuleName = RuleCode

export interface RuleViolation {
  rule: RuleName
  /** Names the offending value and what is allowed instead. */
  message: string
  /** JSON path in the request body. */
  target: string
  status: 400 | 409
}

export interface InstalledExtension {
  extensionType: string
  name: string
}

export interface InstallRequest {
  extensionType: string
  autoUpgradeMinorVersion: boolean
  releaseTrain: string
  version: string | null
  scope: ExtensionScope | null
  cluster: ClusterFacts
  /** The other extensions on the cluster. An entry named like `extensionName` is the one being updated and is ignored. */
  installedTypes: InstalledExtension[]
  /** The extension's resource name; enables the forced-name rule and lets an update list itself in installedTypes. */
  extensionName?: string | null
  /** The parent resource type (connectedClusters, managedClusters, ...); when absent the cluster-type rule is skipped. */
  clusterType?: string | null
  /** The marketplace plan the request names (`plan`), checked against a marketplace type's planInfo. */
  plan?: Plan | null
  /** The version the extension runs now, for an update; null or absent for a first install. */
  installedVersion?: string | null
  /** properties.configurationSettings as they will be stored; absent skips the settings rules on them. */
  configurationSettings?: Readonly<Record<string, string>>
  /**
   * The protected settings as they will be stored (sent, or kept from before); null or absent when they cannot be read,
   * which skips the rules that need them. Rules name their keys only, never a value.
   */
  protectedSettings?: Readonly<Record<string, string>> | null
}

export { DEFAULT_RELEASE_TRAIN } from './release-trains.js'

const TARGET = {
  name: 'name',
  extensionType: 'properties.extensionType',
  scope: 'properties.scope',
  targetNamespace: 'properties.scope.namespace.targetNamespace',
  releaseTrain: 'properties.releaseTrain',
  version: 'properties.version',
  autoUpgradeMinorVersion: 'properties.autoUpgradeMinorVersion',
  plan: 'plan',
  releaseNamespace: 'properties.scope.cluster.releaseNamespace',
  configurationSettings: 'properties.configurationSettings',
  protectedSettings: 'properties.configurationProtectedSettings',
} as const

function badRequest(rule: RuleCode<400>, target: string, message: string): RuleViolation {
  return { rule, target, message, status: 400 }
}

function conflict(rule: RuleCode<409>, target: string, message: string): RuleViolation {
  return { rule, target, message, status: 409 }
}

function list(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ')
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase()
}

// ---- the extension type ----

export function checkExtensionTypeKnown(catalog: Catalog, extensionType: string): RuleViolation | null {
  if (catalog.findType(extensionType)) return null
  return badRequest(ErrorCodes.UnknownExtensionType, TARGET.extensionType, `Extension type '${extensionType}' is not available. Available extension types: ${list(catalog.typeNames())}.`)
}

// ---- the cluster ----

export function checkClusterType(spec: ExtensionTypeSpec, clusterType: string | null | undefined): RuleViolation | null {
  if (!clusterType || spec.supportedClusterTypes.some((c) => sameName(c, clusterType))) return null
  return badRequest(
    ErrorCodes.ClusterTypeNotSupported,
    TARGET.extensionType,
    `Extension type '${spec.type}' cannot be installed on ${clusterType}. Supported cluster types: ${list(spec.supportedClusterTypes)}.`,
  )
}

export function checkDistribution(catalog: Catalog, spec: ExtensionTypeSpec, cluster: ClusterFacts, clusterType?: string | null): RuleViolation | null {
  if (spec.supportedDistributions === 'any') return null
  const id = catalog.distributionIdOf(cluster.distribution, clusterType)
  if (spec.supportedDistributions.includes(id)) return null
  const reported =
    id !== GENERIC_DISTRIBUTION
      ? `'${cluster.distribution}' (${catalog.findDistribution(id)?.displayName ?? id})`
      : cluster.distribution
        ? `'${cluster.distribution}', which is not a known distribution and is treated as '${GENERIC_DISTRIBUTION}'`
        : `unknown (the cluster reports none, so it is treated as '${GENERIC_DISTRIBUTION}')`
  return badRequest(
    ErrorCodes.DistributionNotSupported,
    TARGET.extensionType,
    `Extension type '${spec.type}' does not support the cluster's distribution ${reported}. Supported distributions: ${list(spec.supportedDistributions)}.`,
  )
}

/** A cluster that reports no (or an unreadable) Kubernetes version is not blocked: there is nothing to compare. */
export function checkKubernetesVersion(spec: ExtensionTypeSpec, cluster: ClusterFacts): RuleViolation | null {
  const minimum = parseKubernetesVersion(spec.minKubernetesVersion)
  const actual = parseKubernetesVersion(cluster.kubernetesVersion)
  if (!minimum || !actual || !isKubernetesVersionBelow(actual, minimum)) return null
  return badRequest(
    ErrorCodes.KubernetesVersionTooLow,
    TARGET.extensionType,
    `Extension type '${spec.type}' requires Kubernetes ${spec.minKubernetesVersion} or later, but the cluster runs ${cluster.kubernetesVersion}. Upgrade the cluster to Kubernetes ${spec.minKubernetesVersion} or later first.`,
  )
}

export function checkArchitecture(spec: ExtensionTypeSpec, cluster: ClusterFacts): RuleViolation | null {
  const architecture = normalizeArchitecture(cluster.architecture)
  if (!architecture || !spec.unsupportedArchitectures.includes(architecture)) return null
  return badRequest(
    ErrorCodes.ArchitectureNotSupported,
    TARGET.extensionType,
    `Extension type '${spec.type}' does not support the cluster's '${architecture}' architecture. Unsupported architectures: ${list(spec.unsupportedArchitectures)}.`,
  )
}

/** The Kubernetes minimum a version needs: the stricter of the type's and the version's own, or null for none. */
export function minKubernetesVersionOf(spec: ExtensionTypeSpec, version: VersionSpec | undefined): string | null {
  const own = version?.minKubernetesVersion ?? null
  const typeMinimum = parseKubernetesVersion(spec.minKubernetesVersion)
  const versionMinimum = parseKubernetesVersion(own)
  if (!versionMinimum) return spec.minKubernetesVersion
  return typeMinimum && isKubernetesVersionBelow(versionMinimum, typeMinimum) ? spec.minKubernetesVersion : own
}

/**
 * The rules one version adds to its type's (its own Kubernetes minimum and architectures), for a cluster that can run
 * the type: a pinned version is refused, and a cluster's version list leaves it out.
 */
function versionClusterViolations(spec: ExtensionTypeSpec, version: VersionSpec, cluster: ClusterFacts): RuleViolation[] {
  const violations: RuleViolation[] = []
  const minimum = version.minKubernetesVersion
  const actual = parseKubernetesVersion(cluster.kubernetesVersion)
  const required = parseKubernetesVersion(minimum ?? null)
  if (minimum && required && actual && isKubernetesVersionBelow(actual, required)) {
    violations.push(
      badRequest(
        ErrorCodes.KubernetesVersionTooLow,
        TARGET.version,
        `Version '${version.version}' of extension type '${spec.type}' requires Kubernetes ${minimum} or later, but the cluster runs ${cluster.kubernetesVersion}. Choose another version, or upgrade the cluster to Kubernetes ${minimum} or later first.`,
      ),
    )
  }
  const architecture = normalizeArchitecture(cluster.architecture)
  if (architecture && version.unsupportedArchitectures?.includes(architecture)) {
    violations.push(
      badRequest(
        ErrorCodes.ArchitectureNotSupported,
        TARGET.version,
        `Version '${version.version}' of extension type '${spec.type}' does not support the cluster's '${architecture}' architecture. Choose another version.`,
      ),
    )
  }
  return violations
}

/** Every cluster-level rule, for install checks and for listing what a cluster can run. */
export function clusterViolations(catalog: Catalog, spec: ExtensionTypeSpec, cluster: ClusterFacts, clusterType?: string | null): RuleViolation[] {
  return [checkClusterType(spec, clusterType), checkDistribution(catalog, spec, cluster, clusterType), checkKubernetesVersion(spec, cluster), checkArchitecture(spec, cluster)].filter(
    (v): v is RuleViolation => v !== null,
  )
}

// ---- the extension resource itself ----

/**
 * A marketplace type needs its offer's plan on every request that installs or updates it: plan.name, plan.product and
 * plan.publisher naming the type's planId, offerId and publisherId (matched case-insensitively, as Marketplace ids are).
 */
export function checkPlan(spec: ExtensionTypeSpec, plan: Plan | null | undefined): RuleViolation | null {
  const offer = spec.planInfo
  if (!offer) return null
  const expected = { name: offer.planId, product: offer.offerId, publisher: offer.publisherId }
  const fields = ['name', 'product', 'publisher'] as const
  const wanted = `plan.name '${offer.planId}', plan.product '${offer.offerId}' and plan.publisher '${offer.publisherId}'`
  const missing = fields.filter((key) => !plan?.[key]?.trim())
  if (missing.length > 0) {
    return badRequest(
      ErrorCodes.PlanRequired,
      missing.length === fields.length ? TARGET.plan : `${TARGET.plan}.${missing[0]}`,
      `Extension type '${spec.type}' is sold through an Azure Marketplace offer: the request must name its plan, ${wanted} (api-version 2022-11-01 or later)` +
        (missing.length === fields.length ? '.' : `, but it lacks ${missing.map((key) => `plan.${key}`).join(', ')}.`),
    )
  }
  const wrong = fields.find((key) => !sameName(plan?.[key] ?? '', expected[key]))
  if (!wrong) return null
  return badRequest(
    ErrorCodes.PlanNotOffered,
    `${TARGET.plan}.${wrong}`,
    `Extension type '${spec.type}' is not offered under plan.${wrong} '${plan?.[wrong] ?? ''}'. Its Azure Marketplace plan is ${wanted}.`,
  )
}

/** Every type: a plan names its name, product and publisher all, or is left out (a marketplace type's is checkPlan's). */
export function checkPlanComplete(spec: ExtensionTypeSpec, plan: Plan | null | undefined): RuleViolation | null {
  if (spec.planInfo || !plan) return null
  const missing = (['name', 'product', 'publisher'] as const).filter((key) => !plan[key]?.trim())
  if (missing.length === 0) return null
  return badRequest(
    ErrorCodes.PlanIncomplete,
    `${TARGET.plan}.${missing[0]}`,
    `A plan names plan.name, plan.product and plan.publisher together or not at all, but this one lacks ${missing.map((key) => `plan.${key}`).join(', ')}. Complete the plan or remove it.`,
  )
}

export function checkScope(spec: ExtensionTypeSpec, scope: ExtensionScope | null): RuleViolation | null {
  if (spec.scope === 'cluster') {
    if (scope?.kind !== 'namespace') return null
    return badRequest(
      ErrorCodes.InvalidScope,
      TARGET.scope,
      `Extension type '${spec.type}' is cluster-scoped and cannot use properties.scope.namespace. Use properties.scope.cluster (optionally with releaseNamespace) or omit properties.scope.`,
    )
  }
  if (scope?.kind === 'namespace' && scope.targetNamespace && scope.targetNamespace.trim() !== '') return null
  return badRequest(
    ErrorCodes.InvalidScope,
    scope?.kind === 'namespace' ? TARGET.targetNamespace : TARGET.scope,
    `Extension type '${spec.type}' is namespace-scoped: set properties.scope.namespace.targetNamespace to the namespace to install into` +
      (scope?.kind === 'cluster' ? ' instead of properties.scope.cluster.' : '.'),
  )
}

/** Helm's release-name rule (helm/pkg/chartutil ValidateReleaseName): a DNS-1123 subdomain of at most 53 characters. */
const HELM_RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const HELM_RELEASE_NAME_MAX = 53

export function checkExtensionName(spec: ExtensionTypeSpec, extensionName: string | null | undefined): RuleViolation | null {
  if (!extensionName) return null
  if (spec.singletonName && !sameName(spec.singletonName, extensionName)) {
    return badRequest(ErrorCodes.ExtensionNameNotAllowed, TARGET.name, `Extension type '${spec.type}' must be installed as an extension named '${spec.singletonName}', not '${extensionName}'.`)
  }
  const maxLength = spec.settingsRules?.nameMaxLength ?? null
  if (maxLength !== null && extensionName.length > maxLength) {
    return badRequest(
      ErrorCodes.ExtensionNameNotAllowed,
      TARGET.name,
      `Extension type '${spec.type}' accepts extension names of at most ${maxLength} characters, but '${extensionName}' has ${extensionName.length}. Choose a shorter name.`,
    )
  }
  if (spec.settingsRules?.nameIsHelmReleaseName && (extensionName.length > HELM_RELEASE_NAME_MAX || !HELM_RELEASE_NAME.test(extensionName))) {
    return badRequest(
      ErrorCodes.ExtensionNameNotAllowed,
      TARGET.name,
      `Extension type '${spec.type}' uses the extension name as its Helm release name, so '${extensionName}' must be one: at most ${HELM_RELEASE_NAME_MAX} lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.`,
    )
  }
  return null
}

/** A type whose CLI forces autoUpgradeMinorVersion refuses the other value (an omitted one already got the forced value). */
export function checkForcedAutoUpgrade(spec: ExtensionTypeSpec, autoUpgradeMinorVersion: boolean): RuleViolation | null {
  const forced = spec.settingsRules?.autoUpgradeMinorVersion ?? null
  if (forced === null || forced === autoUpgradeMinorVersion) return null
  return badRequest(
    ErrorCodes.AutoUpgradeNotAllowed,
    TARGET.autoUpgradeMinorVersion,
    `Extension type '${spec.type}' always runs with properties.autoUpgradeMinorVersion ${forced}` +
      (forced ? ': it follows its release train and cannot be pinned. Set it to true or omit it.' : ': it is updated only by pinning properties.version. Set it to false or omit it.'),
  )
}

/**
 * The values a request that omits them gets for this type, where Azure's CLI forces or defaults them: the forced
 * autoUpgradeMinorVersion and the default release train. Empty for most types.
 */
export function catalogDefaults(spec: ExtensionTypeSpec): { autoUpgradeMinorVersion?: boolean; releaseTrain?: string } {
  const rules = spec.settingsRules
  const train = rules?.defaultReleaseTrain ? findReleaseTrain(spec, rules.defaultReleaseTrain)?.name : undefined
  return {
    ...(rules?.autoUpgradeMinorVersion != null ? { autoUpgradeMinorVersion: rules.autoUpgradeMinorVersion } : {}),
    ...(train ? { releaseTrain: train } : {}),
  }
}

/** A type whose release must live in one namespace refuses any other releaseNamespace (the effective scope defaults to it). */
export function checkReleaseNamespace(spec: ExtensionTypeSpec, scope: ExtensionScope | null): RuleViolation | null {
  const forced = spec.settingsRules?.releaseNamespace
  if (!forced || scope?.kind !== 'cluster' || !scope.releaseNamespace || sameName(scope.releaseNamespace, forced)) return null
  return badRequest(
    ErrorCodes.ReleaseNamespaceNotAllowed,
    TARGET.releaseNamespace,
    `Extension type '${spec.type}' must be installed into release namespace '${forced}', not '${scope.releaseNamespace}'. Set properties.scope.cluster.releaseNamespace to '${forced}' or omit it.`,
  )
}

// ---- settings (messages name keys and rules, never values: protected ones are secrets) ----

type SettingsMap = Readonly<Record<string, string>>

function settingsViolation(spec: ExtensionTypeSpec, problem: SettingsProblem, inProtected: boolean): RuleViolation {
  const map = inProtected ? TARGET.protectedSettings : TARGET.configurationSettings
  const rule: RuleName = inProtected ? ErrorCodes.InvalidProtectedSetting : ErrorCodes.InvalidConfigurationSetting
  if (problem.key === null) return badRequest(rule, map, `Extension type '${spec.type}': ${map} ${problem.phrase}.`)
  return badRequest(rule, `${map}['${problem.key}']`, `Extension type '${spec.type}': ${map} key '${problem.key}' ${problem.phrase}.`)
}

export function checkConfigurationSettings(spec: ExtensionTypeSpec, settings: SettingsMap | undefined): RuleViolation[] {
  const schema = spec.settingsRules?.configurationSettings
  if (!schema || !settings) return []
  // arcext's own keys (core/catalog/reserved-settings.ts) are not the release's, so the type's schema never sees them.
  return settingsProblems(schema, releaseValues(settings)).map((problem) => settingsViolation(spec, problem, false))
}

export function checkProtectedSettings(spec: ExtensionTypeSpec, protectedSettings: SettingsMap | null | undefined): RuleViolation[] {
  const schema = spec.settingsRules?.configurationProtectedSettings
  if (!schema || !protectedSettings) return []
  return settingsProblems(schema, protectedSettings).map((problem) => settingsViolation(spec, problem, true))
}

/** Rules a key satisfies in either map (the CLI reads such keys from both); reported against the map that holds the key. */
export function checkAnySettings(spec: ExtensionTypeSpec, settings: SettingsMap | undefined, protectedSettings: SettingsMap | null | undefined): RuleViolation[] {
  const schema = spec.settingsRules?.anySettings
  if (!schema || !settings || !protectedSettings) return []
  // arcext's own keys (core/catalog/reserved-settings.ts) never reach the release, so no type's schema judges them.
  return settingsProblems(schema, { ...releaseValues(settings), ...protectedSettings }).map((problem) => settingsViolation(spec, problem, problem.key !== null && problem.key in protectedSettings))
}

export function checkKeysInOneMap(spec: ExtensionTypeSpec, settings: SettingsMap | undefined, protectedSettings: SettingsMap | null | undefined): RuleViolation[] {
  if (!spec.settingsRules?.keysInOneMapOnly || !settings || !protectedSettings) return []
  return Object.keys(settings)
    .filter((key) => key in protectedSettings)
    .map((key) =>
      badRequest(
        ErrorCodes.SettingInBothMaps,
        `${TARGET.protectedSettings}['${key}']`,
        `Extension type '${spec.type}': key '${key}' is in both properties.configurationSettings and properties.configurationProtectedSettings. Set it in only one of them.`,
      ),
    )
}

function othersOnCluster(installed: readonly InstalledExtension[], extensionName: string | null | undefined): InstalledExtension[] {
  return extensionName ? installed.filter((e) => !sameName(e.name, extensionName)) : [...installed]
}

/** Types that cannot share a cluster; the caller must remove the installed one first (409). */
export function checkCoexistence(spec: ExtensionTypeSpec, installed: readonly InstalledExtension[], extensionName?: string | null): RuleViolation[] {
  return othersOnCluster(installed, extensionName)
    .filter((other) => spec.conflictsWith.some((type) => sameName(type, other.extensionType)))
    .map((other) =>
      conflict(
        ErrorCodes.ConflictingExtension,
        TARGET.extensionType,
        `Extension type '${spec.type}' cannot be installed on the same cluster as extension '${other.name}' (${other.extensionType.toLowerCase()}). Delete extension '${other.name}' first, then retry.`,
      ),
    )
}

/** A cluster-scoped type owns cluster-wide resources, so a second instance is refused unless the type allows it. */
export function checkSingleInstance(spec: ExtensionTypeSpec, installed: readonly InstalledExtension[], extensionName?: string | null): RuleViolation | null {
  if (spec.scope !== 'cluster' || spec.allowMultipleInstances) return null
  const existing = othersOnCluster(installed, extensionName).find((other) => sameName(other.extensionType, spec.type))
  if (!existing) return null
  // Azure's own wording first where the catalog records it, so a client matching on it keeps working.
  const azure = spec.settingsRules?.singleInstanceMessage
  return conflict(
    ErrorCodes.MultipleInstancesNotAllowed,
    TARGET.extensionType,
    `${azure ? `${azure} ` : ''}Extension type '${spec.type}' is already installed on this cluster as extension '${existing.name}', and only one instance is allowed. Update extension '${existing.name}' instead, or delete it first.`,
  )
}

/**
 * The extension types (trimmed, lower-cased) whose presence on a cluster checkCoexistence and checkSingleInstance
 * can object to, so a store can read only those extensions instead of every one on the cluster.
 */
export function coexistenceTypes(spec: ExtensionTypeSpec, catalog: Catalog): string[] {
  const judged = [...spec.conflictsWith]
  if (spec.scope === 'cluster' && !spec.allowMultipleInstances) judged.push(spec.type)
  // An installed extension keeps the type name its caller sent, which may be an alias (checkInstallable resolves it).
  const spellings = judged.flatMap((name) => {
    const type = catalog.findType(name)
    return type ? [type.type, ...type.aliases] : [name]
  })
  return [...new Set(spellings.map((name) => name.trim().toLowerCase()))]
}

// ---- release train and version ----

export function checkVersionWithAutoUpgrade(autoUpgradeMinorVersion: boolean, version: string | null): RuleViolation | null {
  if (!autoUpgradeMinorVersion || version === null) return null
  return badRequest(
    ErrorCodes.VersionWithAutoUpgrade,
    TARGET.version,
    `properties.version '${version}' can only be set when properties.autoUpgradeMinorVersion is false. Set autoUpgradeMinorVersion to false to pin a version, or remove properties.version.`,
  )
}

export function checkVersionSyntax(version: string | null): RuleViolation | null {
  if (version === null || parseSemver(version)) return null
  return badRequest(
    ErrorCodes.InvalidVersion,
    TARGET.version,
    `properties.version '${version}' is not a valid semantic version. Use SemVer 2.0.0: MAJOR.MINOR.PATCH with no leading zeros and no 'v' prefix, for example 1.16.2.`,
  )
}

export function checkReleaseTrain(spec: ExtensionTypeSpec, releaseTrain: string): RuleViolation | null {
  if (findReleaseTrain(spec, releaseTrain)) return null
  return badRequest(
    ErrorCodes.UnknownReleaseTrain,
    TARGET.releaseTrain,
    `Release train '${releaseTrain}' does not exist for extension type '${spec.type}'. Available release trains: ${list(releaseTrainNames(spec))}.`,
  )
}

/** A train the catalog lists no version on (none could be verified from a public source) installs nothing. */
export function checkVersionAvailable(spec: ExtensionTypeSpec, releaseTrain: string): RuleViolation | null {
  const train = findReleaseTrain(spec, releaseTrain)
  if (!train || train.versions.length > 0) return null
  return badRequest(
    ErrorCodes.NoInstallableVersion,
    TARGET.releaseTrain,
    `Release train '${train.name}' of extension type '${spec.type}' lists no version in this service's extension-type catalog, so nothing can be installed from it yet. An operator adds the versions the region offers (docs/catalog.md, "Adding a version").`,
  )
}

/** Skipped when the train is unknown or the version malformed: those rules already say what is wrong. */
export function checkVersionOnTrain(spec: ExtensionTypeSpec, releaseTrain: string, version: string | null): RuleViolation | null {
  const train = findReleaseTrain(spec, releaseTrain)
  if (!train || version === null || !parseSemver(version) || findVersion(train, version)) return null
  return badRequest(
    ErrorCodes.UnknownVersion,
    TARGET.version,
    `Version '${version}' of extension type '${spec.type}' does not exist on release train '${train.name}'. Supported versions: ${list(supportedVersions(spec, train))}.`,
  )
}

export function checkSupportWindow(spec: ExtensionTypeSpec, releaseTrain: string, version: string | null): RuleViolation | null {
  const train = findReleaseTrain(spec, releaseTrain)
  if (!train || version === null || !findVersion(train, version) || isSupported(spec, train, version)) return null
  const policy = spec.supportPolicy.kind === 'latestMinus' ? ` only the latest version and the ${spec.supportPolicy.n} before it (N-${spec.supportPolicy.n}) are supported.` : ''
  return badRequest(
    ErrorCodes.VersionNotSupported,
    TARGET.version,
    `Version '${version}' of extension type '${spec.type}' is no longer supported on release train '${train.name}':${policy} Supported versions: ${list(supportedVersions(spec, train))}.`,
  )
}

/** A pinned version's own constraints (versionClusterViolations); skipped when the version is unknown: other rules say so. */
function checkPinnedVersionOnCluster(spec: ExtensionTypeSpec, releaseTrain: string, version: string | null, cluster: ClusterFacts): RuleViolation[] {
  const entry = version === null ? undefined : versionEntry(spec, releaseTrain, version)
  return entry ? versionClusterViolations(spec, entry, cluster) : []
}

function versionEntry(spec: ExtensionTypeSpec, releaseTrain: string, version: string) {
  const train = findReleaseTrain(spec, releaseTrain)
  return train ? findVersion(train, version) : undefined
}

/** Whether an extension running `installed` may move straight to `target` (the target's upgradeFrom minimum). */
function reachableFrom(spec: ExtensionTypeSpec, releaseTrain: string, installed: string, target: string): boolean {
  const minimum = versionEntry(spec, releaseTrain, target)?.upgradeFrom
  return minimum === undefined || !parseSemver(installed) || compareSemver(installed, minimum) >= 0
}

/**
 * The stops between `installed` and `target`, each the newest version reachable from the one before (never past
 * `target`), ending with `target`; null when some step has nowhere to go.
 */
export function upgradePath(spec: ExtensionTypeSpec, releaseTrain: string, installed: string, target: string): string[] | null {
  const train = findReleaseTrain(spec, releaseTrain)
  if (!train) return null
  const versions = newestFirst(train.versions.map((v) => v.version))
  const path: string[] = []
  let from = installed
  while (from !== target) {
    const next = versions.find((v) => isNewer(v, from) && !isNewer(v, target) && reachableFrom(spec, releaseTrain, from, v))
    if (!next) return null
    path.push(next)
    from = next
  }
  return path
}

/**
 * An update that pins a version whose `upgradeFrom` the installed version does not reach is refused, spelling out
 * the path: every intermediate version to install first, in order (each the newest reachable from the one before).
 */
export function checkUpgradePath(spec: ExtensionTypeSpec, releaseTrain: string, installedVersion: string | null | undefined, version: string | null): RuleViolation | null {
  if (!installedVersion || version === null || !parseSemver(installedVersion) || !parseSemver(version) || !isNewer(version, installedVersion)) return null
  if (reachableFrom(spec, releaseTrain, installedVersion, version)) return null
  const minimum = versionEntry(spec, releaseTrain, version)?.upgradeFrom ?? ''
  const stops = upgradePath(spec, releaseTrain, installedVersion, version)?.slice(0, -1) ?? []
  const [first, ...then] = [...stops, version].map((v) => `'${v}'`)
  return badRequest(
    ErrorCodes.UpgradePathNotSupported,
    TARGET.version,
    `Version '${version}' of extension type '${spec.type}' can only be installed over version ${minimum} or later, but the extension runs ${installedVersion}.` +
      (stops.length ? ` Update to version ${first} first, then to ${then.join(', then to ')}.` : ` Update to version ${minimum} or later first.`),
  )
}

// ---- everything, in a stable order ----

/** All violations for installing or updating an extension, in a fixed order; empty when installable. */
export function checkInstallable(input: InstallRequest, catalog: Catalog = defaultCatalog()): RuleViolation[] {
  const unknown = checkExtensionTypeKnown(catalog, input.extensionType)
  if (unknown) return [unknown]
  const spec = catalog.findType(input.extensionType) as ExtensionTypeSpec
  // Installed extensions may carry an alias (a legacy name); the coexistence rules compare catalog names.
  const installed = input.installedTypes.map((other) => ({ ...other, extensionType: catalog.findType(other.extensionType)?.type ?? other.extensionType }))
  return [
    ...clusterViolations(catalog, spec, input.cluster, input.clusterType),
    checkScope(spec, input.scope),
    checkExtensionName(spec, input.extensionName),
    checkPlan(spec, input.plan),
    checkPlanComplete(spec, input.plan),
    checkReleaseNamespace(spec, input.scope),
    ...checkConfigurationSettings(spec, input.configurationSettings),
    ...checkProtectedSettings(spec, input.protectedSettings),
    ...checkAnySettings(spec, input.configurationSettings, input.protectedSettings),
    ...checkKeysInOneMap(spec, input.configurationSettings, input.protectedSettings),
    ...checkReservedSettings(input.configurationSettings, input.protectedSettings),
    ...checkCoexistence(spec, installed, input.extensionName),
    checkSingleInstance(spec, installed, input.extensionName),
    checkForcedAutoUpgrade(spec, input.autoUpgradeMinorVersion),
    checkVersionWithAutoUpgrade(input.autoUpgradeMinorVersion, input.version),
    checkVersionSyntax(input.version),
    checkReleaseTrain(spec, input.releaseTrain),
    checkVersionAvailable(spec, input.releaseTrain),
    checkVersionOnTrain(spec, input.releaseTrain, input.version),
    checkSupportWindow(spec, input.releaseTrain, input.version),
    ...checkPinnedVersionOnCluster(spec, input.releaseTrain, input.version, input.cluster),
    checkUpgradePath(spec, input.releaseTrain, input.installedVersion, input.version),
  ].filter((v): v is RuleViolation => v !== null)
}

// ---- version selection ----

function requireTrain(spec: ExtensionTypeSpec, releaseTrain: string) {
  const train = findReleaseTrain(spec, releaseTrain)
  if (!train) throw new Error(`Release train '${releaseTrain}' does not exist for extension type '${spec.type}' (available: ${list(releaseTrainNames(spec))})`)
  return train
}

/** The version to install: the pinned one, else the newest supported version of the train. Throws on an unknown train. */
export function resolveVersion(spec: ExtensionTypeSpec, releaseTrain: string, pinned: string | null): string {
  const train = requireTrain(spec, releaseTrain)
  if (pinned !== null) return findVersion(train, pinned)?.version ?? pinned
  const [newest] = supportedVersions(spec, train)
  if (!newest) throw new Error(`Release train '${train.name}' of extension type '${spec.type}' has no versions`)
  return newest
}

/**
 * The newest version on the train that auto-upgrade may move `currentVersion` to, or null when it is
 * already newest. Never crosses a major version: a major bump may break, so it needs an explicit request.
 * Never skips a version's upgradeFrom minimum either: the sweep steps through the intermediate version instead.
 * `reach` is the extension's autoUpgradeMode: `compatible` moves within the major, `patch` within the major.minor.
 */
export function newestAutoUpgradeTarget(spec: ExtensionTypeSpec, releaseTrain: string, currentVersion: string, reach: 'patch' | 'compatible' = 'compatible'): string | null {
  const train = findReleaseTrain(spec, releaseTrain)
  if (!train || !parseSemver(currentVersion)) return null
  const within = reach === 'patch' ? sameMinor : sameMajor
  return allVersionsNewestFirst(train).find((v) => within(v, currentVersion) && isNewer(v, currentVersion) && reachableFrom(spec, releaseTrain, currentVersion, v)) ?? null
}

// ---- what the extensionTypes API shows ----

export type PreviewStatus = Omit<ExtensionStatus, 'time' | 'level'> & { level: 'Warning' }

/** The status entry to add to an extension of a preview type, or null for a generally available type. */
export function previewStatusFor(spec: ExtensionTypeSpec): PreviewStatus | null {
  if (!spec.preview) return null
  return {
    code: ErrorCodes.PreviewExtensionType,
    displayStatus: 'Preview',
    level: 'Warning',
    message: `${spec.displayName} (${spec.type}) is in preview. Preview features are provided under the Supplemental Terms of Use for Microsoft Azure Previews and are not recommended for production workloads.`,
  }
}

export type AdvisoryStatus = PreviewStatus

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * The warning to add to an extension of a type Microsoft retires (`retiresOn`), or null for a type with no
 * retirement date. Shown before the date as a notice and after it as retired, so installed extensions say so.
 */
export function retirementStatusFor(spec: ExtensionTypeSpec, now: Date = new Date()): AdvisoryStatus | null {
  if (spec.retiresOn === null) return null
  const retired = Date.parse(`${spec.retiresOn}T00:00:00Z`) - now.getTime() <= 0
  const daysLeft = Math.ceil((Date.parse(`${spec.retiresOn}T00:00:00Z`) - now.getTime()) / DAY_MS)
  return {
    code: retired ? ErrorCodes.ExtensionTypeRetired : ErrorCodes.ExtensionTypeRetiring,
    displayStatus: retired ? 'Retired' : 'Retiring',
    level: 'Warning',
    message: retired
      ? `${spec.displayName} (${spec.type}) was retired on ${spec.retiresOn} and is no longer supported. Migrate to its replacement and delete this extension.`
      : `${spec.displayName} (${spec.type}) retires on ${spec.retiresOn} (in ${daysLeft} day${daysLeft === 1 ? '' : 's'}); it is not supported after that date. Plan the migration to its replacement.`,
  }
}

/** Every catalog-derived warning for an installed extension of this type: preview, then retirement. */
export function advisoryStatusesFor(spec: ExtensionTypeSpec, now: Date = new Date()): AdvisoryStatus[] {
  return [previewStatusFor(spec), retirementStatusFor(spec, now)].filter((status): status is AdvisoryStatus => status !== null)
}

export interface ReleaseTrainVersions {
  releaseTrain: string
  /** Supported versions, newest first. */
  versions: string[]
}

/** Supported versions per release train for a cluster with these facts; empty when the cluster cannot run the type. */
export function compatibleVersions(
  type: ExtensionTypeSpec | string,
  facts: ClusterFacts,
  releaseTrain?: string,
  catalog: Catalog = defaultCatalog(),
  clusterType?: string | null,
): ReleaseTrainVersions[] {
  const spec = typeof type === 'string' ? catalog.findType(type) : type
  if (!spec || clusterViolations(catalog, spec, facts, clusterType).length > 0) return []
  const trains = releaseTrain === undefined ? spec.releaseTrains : spec.releaseTrains.filter((t) => sameName(t.name, releaseTrain))
  return trains.map((train) => ({ releaseTrain: train.name, versions: supportedVersions(spec, train).filter((v) => runsOn(spec, train, v, facts)) }))
}

/** Whether a version of the train adds no constraint the cluster fails (versionClusterViolations). */
export function runsOn(spec: ExtensionTypeSpec, train: ReleaseTrainSpec, version: string, facts: ClusterFacts): boolean {
  const entry = findVersion(train, version)
  return !entry || versionClusterViolations(spec, entry, facts).length === 0
}

/** The extension types a cluster with these facts can run. */
export function compatibleTypes(catalog: Catalog, facts: ClusterFacts, clusterType?: string | null): ExtensionTypeSpec[] {
  return catalog.types.filter((spec) => clusterViolations(catalog, spec, facts, clusterType).length === 0)
}
