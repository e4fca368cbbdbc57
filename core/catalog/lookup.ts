// Read access to a validated catalog. Every name lookup is case-insensitive because ARM matches
// extension types, distributions and cluster types case-insensitively; a type is found by its name or any alias.
import type { CatalogData, DistributionSpec, ExtensionTypeSpec } from './catalog-types.js'

/** The distribution assumed for a cluster that reports none, or one this catalog does not know. */
export const GENERIC_DISTRIBUTION = 'generic'

export class Catalog {
  readonly types: readonly ExtensionTypeSpec[]
  readonly distributions: readonly DistributionSpec[]
  private readonly typesByName: ReadonlyMap<string, ExtensionTypeSpec>
  private readonly distributionsByName: ReadonlyMap<string, DistributionSpec>

  /** Use validateCatalog() or loadCatalog(); this constructor trusts its input. */
  constructor(data: CatalogData) {
    this.types = data.types
    this.distributions = data.distributions
    this.typesByName = new Map(data.types.flatMap((t) => [t.type, ...t.aliases].map((name) => [name.toLowerCase(), t] as const)))
    this.distributionsByName = new Map(data.distributions.flatMap((d) => [d.id, ...d.aliases].map((name) => [name.toLowerCase(), d] as const)))
  }

  /** By name or alias. */
  findType(name: string): ExtensionTypeSpec | undefined {
    return this.typesByName.get(name.trim().toLowerCase())
  }

  typeNames(): string[] {
    return this.types.map((t) => t.type)
  }

  /** By id or alias. */
  findDistribution(name: string): DistributionSpec | undefined {
    return this.distributionsByName.get(name.trim().toLowerCase())
  }

  /**
   * The catalog's id for a cluster's reported distribution. A cluster that reports nothing takes the
   * distribution its resource type implies (managedClusters are AKS); otherwise, like an unknown
   * value, it counts as a generic CNCF cluster.
   */
  distributionIdOf(reported: string | null, clusterType?: string | null): string {
    const known = reported && reported.trim() !== '' ? this.findDistribution(reported) : undefined
    if (known) return known.id
    if (!reported && clusterType) {
      const implied = this.distributions.find((d) => d.impliedByClusterTypes.some((c) => c.toLowerCase() === clusterType.toLowerCase()))
      if (implied) return implied.id
    }
    return GENERIC_DISTRIBUTION
  }
}
