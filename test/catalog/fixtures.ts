// Shared test inputs for the catalog tests.
import type { ClusterFacts } from '../../core/domain/model.js'
import type { InstallRequest } from '../../core/catalog/rules.js'
import { CatalogValidationError, validateCatalog } from '../../core/catalog/schema.js'
import { expect } from 'vitest'

export function cluster(facts: Partial<ClusterFacts> = {}): ClusterFacts {
  return { distribution: null, infrastructure: null, kubernetesVersion: '1.30.4', totalNodeCount: 3, architecture: 'amd64', ...facts }
}

export function installRequest(extensionType: string, overrides: Partial<InstallRequest> = {}): InstallRequest {
  return {
    extensionType,
    autoUpgradeMinorVersion: true,
    releaseTrain: 'Stable',
    version: null,
    scope: null,
    cluster: cluster(),
    installedTypes: [],
    ...overrides,
  }
}

/** The smallest valid catalog, as raw JSON, for tests that break it one way at a time. */
export function minimalCatalogJson(): Record<string, unknown> & { types: Record<string, unknown>[] } {
  return {
    distributions: [
      { id: 'aks', displayName: 'AKS', aliases: [], impliedByClusterTypes: ['managedClusters'] },
      { id: 'generic', displayName: 'Generic', aliases: [] },
    ],
    types: [typeJson('example.one'), typeJson('example.two')],
  }
}

export function typeJson(type: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type,
    displayName: type,
    publisher: 'Example',
    description: 'An example extension type.',
    supportedDistributions: 'any',
    supportedClusterTypes: ['connectedClusters'],
    scope: 'cluster',
    preview: false,
    minKubernetesVersion: null,
    unsupportedArchitectures: [],
    conflictsWith: [],
    allowMultipleInstances: false,
    defaultReleaseNamespace: null,
    releaseTrains: [{ name: 'Stable', versions: [{ version: '1.0.0', releasedOn: null, notes: [] }] }],
    supportPolicy: { kind: 'all' },
    source: 'test',
    ...overrides,
  }
}

/** The problems validateCatalog reports for `raw`, which it must refuse. */
export function problemsOf(raw: unknown): string[] {
  try {
    validateCatalog(raw)
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogValidationError)
    return [...(err as CatalogValidationError).problems]
  }
  throw new Error('expected the catalog to be rejected')
}
