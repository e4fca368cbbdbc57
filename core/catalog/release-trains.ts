// Release-train and support-window arithmetic over one extension type's version data.
import type { ExtensionTypeSpec, ReleaseTrainSpec, VersionSpec } from './catalog-types.js'
import { compareSemver, newestFirst, parseSemver } from './semver.js'

/** The train a request that names none is on (the api fills it in). */
export const DEFAULT_RELEASE_TRAIN = 'Stable'

/**
 * The type's train of that name, case-insensitively. A type Azure ships without a Stable train (API Management's
 * gateway on "preview", a marketplace type's own) answers the default name with its first train: requests that name
 * no train reach the lookup as "Stable", and for such a type that means its default train, not an unknown one.
 */
export function findReleaseTrain(spec: ExtensionTypeSpec, name: string): ReleaseTrainSpec | undefined {
  const wanted = name.trim().toLowerCase()
  const named = spec.releaseTrains.find((train) => train.name.toLowerCase() === wanted)
  if (named || wanted !== DEFAULT_RELEASE_TRAIN.toLowerCase()) return named
  return spec.releaseTrains[0]
}

export function releaseTrainNames(spec: ExtensionTypeSpec): string[] {
  return spec.releaseTrains.map((train) => train.name)
}

/** The catalog entry with the same precedence as `version` (build metadata aside), if any. */
export function findVersion(train: ReleaseTrainSpec, version: string): VersionSpec | undefined {
  if (!parseSemver(version)) return undefined
  return train.versions.find((v) => compareSemver(v.version, version) === 0)
}

export function allVersionsNewestFirst(train: ReleaseTrainSpec): string[] {
  return newestFirst(train.versions.map((v) => v.version))
}

/** Versions still inside the type's support window on this train, newest first. */
export function supportedVersions(spec: ExtensionTypeSpec, train: ReleaseTrainSpec): string[] {
  const all = allVersionsNewestFirst(train)
  return spec.supportPolicy.kind === 'latestMinus' ? all.slice(0, spec.supportPolicy.n + 1) : all
}

export function isSupported(spec: ExtensionTypeSpec, train: ReleaseTrainSpec, version: string): boolean {
  return supportedVersions(spec, train).some((v) => compareSemver(v, version) === 0)
}
