// The seed page ("Available extensions for Azure Arc-enabled Kubernetes clusters", 2025-04-15,
// the product brief's copy of it; sources in docs/catalog.md) transcribed by hand, independently of the JSON
// catalog, so the tests catch a data file that drifts from the source. The data file they check is the seed-dated
// fixture (test/fixtures/seed-catalog-2025-04-15.json, the catalog as it stood on the seed page's facts), so refreshing
// the shipped catalog from newer sources does not erase what these tests pin down.
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { CATALOG_FILE_ENV, loadCatalog, resetDefaultCatalog } from '../../core/catalog/catalog.js'
import { repoRoot } from '../../core/paths.js'

export const SEED_CATALOG_FILE = path.join(repoRoot, 'test', 'fixtures', 'seed-catalog-2025-04-15.json')

export const seedCatalog = () => loadCatalog(SEED_CATALOG_FILE)

export interface SeedConstraint {
  type: string
  /** Distribution ids as documented in docs/catalog.md. */
  distributions: 'any' | string[]
  preview: boolean
  scope: 'cluster' | 'namespace'
  minKubernetesVersion?: string
  unsupportedArchitectures?: string[]
  conflictsWith?: string[]
}

export const SEED: SeedConstraint[] = [
  { type: 'microsoft.azuremonitor.containers', distributions: 'any', preview: false, scope: 'cluster' },
  // The page names no distributions for Azure Policy or Dapr.
  { type: 'microsoft.policyinsights', distributions: 'any', preview: false, scope: 'cluster' },
  {
    type: 'microsoft.azurekeyvaultsecretsprovider',
    // AKS on Azure Local, AKS enabled by Azure Arc, Cluster API Azure, GKE, Canonical, OpenShift Kubernetes Distribution, EKS, Tanzu
    distributions: ['aks_hci', 'aks_arc', 'capz', 'gke', 'canonical', 'openshift', 'eks', 'tkg'],
    preview: false,
    scope: 'cluster',
  },
  { type: 'microsoft.azure.secretstore', distributions: 'any', preview: true, scope: 'cluster', minKubernetesVersion: '1.27' },
  {
    type: 'microsoft.azuredefender.kubernetes',
    // AKS enabled by Azure Arc, CAPZ, ARO, Red Hat OpenShift 4.6+, GKE Standard, EKS, Tanzu, RKE, Canonical
    distributions: ['aks_arc', 'capz', 'aro', 'openshift', 'gke', 'eks', 'tkg', 'rancher_rke', 'canonical'],
    preview: true,
    scope: 'cluster',
  },
  {
    type: 'microsoft.openservicemesh',
    // AKS, AKS on Azure Local, AKS enabled by Azure Arc, CAPZ, GKE, Canonical, RKE, OpenShift Kubernetes Distribution, EKS, Tanzu
    distributions: ['aks', 'aks_hci', 'aks_arc', 'capz', 'gke', 'canonical', 'rancher_rke', 'openshift', 'eks', 'tkg'],
    preview: false,
    scope: 'cluster',
  },
  {
    type: 'microsoft.arcdataservices',
    // AKS, AKS on Azure Local, ARO, GKE, Canonical, OpenShift Container Platform, EKS
    distributions: ['aks', 'aks_hci', 'aro', 'gke', 'canonical', 'openshift', 'eks'],
    preview: false,
    scope: 'cluster',
  },
  {
    type: 'microsoft.app.environment',
    // AKS, AKS on Azure Local, ARO, GKE, OpenShift Container Platform; cannot share a cluster with Application services
    distributions: ['aks', 'aks_hci', 'aro', 'gke', 'openshift'],
    preview: true,
    scope: 'cluster',
    conflictsWith: ['microsoft.web.appservice'],
  },
  { type: 'microsoft.eventgrid', distributions: ['aks', 'openshift'], preview: true, scope: 'cluster' },
  { type: 'microsoft.apimanagement', distributions: 'any', preview: true, scope: 'namespace' },
  { type: 'microsoft.azureml.kubernetes', distributions: 'any', preview: false, scope: 'cluster', unsupportedArchitectures: ['arm64'] },
  { type: 'microsoft.flux', distributions: 'any', preview: false, scope: 'cluster' },
  { type: 'microsoft.dapr', distributions: 'any', preview: false, scope: 'cluster' },
  { type: 'microsoft.videoindexer', distributions: 'any', preview: false, scope: 'cluster' },
  { type: 'microsoft.arc.containerstorage', distributions: 'any', preview: false, scope: 'cluster' },
  // AKS enabled by Azure Arc, Kubernetes by using the kind tool
  { type: 'microsoft.containerregistry.connectedregistry', distributions: ['aks_arc', 'kind'], preview: false, scope: 'cluster' },
  // Not on the page: present because Container Apps names it as a conflict.
  {
    type: 'microsoft.web.appservice',
    distributions: ['aks', 'aks_hci', 'aro', 'gke', 'openshift'],
    preview: true,
    scope: 'cluster',
    conflictsWith: ['microsoft.app.environment'],
  },
]

/**
 * For a test file that exercises a rule with Flux 1.14.1-1.16.2 as its example: the api and worker it starts read the
 * seed-dated fixture, so a refresh of the shipped catalog does not move the versions under it. The catalog is
 * process-wide operator data, so it is set before the file's harness starts and restored after it (test files share
 * worker processes: vitest.config.ts, isolate: false). Call it at the top of the file, before its own beforeAll.
 */
export function useSeedCatalog(): void {
  beforeAll(() => {
    process.env[CATALOG_FILE_ENV] = SEED_CATALOG_FILE
    resetDefaultCatalog()
  })
  afterAll(() => {
    delete process.env[CATALOG_FILE_ENV]
    resetDefaultCatalog()
  })
}
