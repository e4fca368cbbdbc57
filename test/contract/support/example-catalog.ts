// The extension types the upstream examples install, as an operator would register them: the shipped catalog plus
// the examples' legacy/marketplace type names. The shipped catalog knows Azure Monitor only as
// `microsoft.azuremonitor.containers` (the examples say `azuremonitor-containers`) and has no `azure-vote`, and the
// catalog has no alias mechanism, so without this file the examples' own request bodies would be refused with
// UnknownExtensionType. Request bodies stay verbatim; only the catalog (operator data, CATALOG_FILE) is extended.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { shippedCatalogFile } from '../../../core/catalog/catalog.js'
import { typeJson } from '../../catalog/fixtures.js'

/**
 * Types that appear only in example *responses* and cannot be catalog names (`/` is not allowed), mapped to the
 * real type of the same product. Used to create the list examples' items; the value is not part of the shape.
 */
export const RESPONSE_ONLY_TYPE_SUBSTITUTES: Readonly<Record<string, string>> = {
  'microsoft.recoveryservices/recoveryvault': 'microsoft.dataprotection.kubernetes',
}

const version = (v: string) => ({ version: v, releasedOn: null, notes: [] })

function exampleType(type: string, displayName: string, trains: Record<string, string[]>, defaultReleaseNamespace: string) {
  return typeJson(type, {
    displayName,
    publisher: 'Microsoft',
    description: `${displayName}, under the name the upstream x-ms-examples use.`,
    supportedClusterTypes: ['connectedClusters', 'managedClusters', 'provisionedClusters', 'appliances'],
    defaultReleaseNamespace,
    singletonName: null,
    releaseTrains: Object.entries(trains).map(([name, versions]) => ({ name, versions: versions.map(version) })),
    source: 'test fixture: the versions the upstream Microsoft.KubernetesConfiguration x-ms-examples show',
  })
}

/** Writes the catalog to a temporary file and returns its path (for CATALOG_FILE). */
export function writeExampleCatalog(): string {
  const shipped = JSON.parse(readFileSync(shippedCatalogFile(), 'utf8')) as { types: unknown[] }
  shipped.types.push(
    exampleType('azuremonitor-containers', 'Azure Monitor for containers', { Stable: ['0.1.4'], Preview: ['0.1.4'] }, 'kube-system'),
    exampleType('azure-vote', 'Azure Vote (marketplace sample)', { Stable: ['0.1.4'], Preview: ['0.1.4'] }, 'kube-system'),
    exampleType('microsoft.dataprotection.kubernetes', 'Azure Backup for Kubernetes', { Stable: ['1.0.1'] }, 'dataprotection-microsoft'),
  )
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'arcext-example-catalog-')), 'extension-types.json')
  writeFileSync(file, JSON.stringify(shipped, null, 2))
  return file
}
