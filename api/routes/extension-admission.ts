// The catalog's judgement of an extension's desired state on its cluster, shared by the PUT and PATCH of an
// extension and by the operator's retry of a failed operation (which re-sends the stored desired state).
import { checkInstallable, defaultCatalog } from '../../core/catalog/index.js'
import { clusterFacts } from '../../core/domain/cluster-facts.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { SecretUnavailableError, type SecretBox } from '../../core/secrets.js'
import type { Cluster } from '../../core/store/clusters.js'
import type { InstalledExtension } from '../../core/store/extensions.js'
import { assertNoViolations } from '../arm/rule-violations.js'

/**
 * Every catalog rule, server-side, so raw PUTs get what the az CLI would have enforced; `installed` are the
 * extensions on the cluster, for the rules on which types may share it.
 */
export function assertInstallable(
  spec: ExtensionSpec,
  protectedSettings: Readonly<Record<string, string>> | null,
  cluster: Cluster,
  extensionName: string,
  clusterResourceName: string,
  installed: InstalledExtension[],
  installedVersion: string | null = null,
): void {
  assertNoViolations(
    checkInstallable({
      extensionType: spec.extensionType,
      autoUpgradeMinorVersion: spec.autoUpgradeMinorVersion,
      releaseTrain: spec.releaseTrain,
      version: spec.version,
      scope: spec.scope,
      cluster: clusterFacts(cluster),
      installedTypes: installed,
      extensionName,
      clusterType: clusterResourceName,
      plan: spec.plan,
      installedVersion,
      configurationSettings: spec.configurationSettings,
      protectedSettings,
    }),
  )
}

/**
 * The protected settings a request leaves in force, for the settings rules: those it sends, else the stored ones.
 * Opened only for a type with settings rules (it costs a decryption); null when they cannot be opened, which skips
 * the rules that need them rather than refusing a change that does not touch them.
 */
export function protectedSettingsInForce(secrets: SecretBox, extensionType: string, sent: Record<string, string> | null | undefined, storedSealed: string | null): Record<string, string> | null {
  if (sent !== undefined) return sent ?? {}
  if (!defaultCatalog().findType(extensionType)?.settingsRules || storedSealed === null) return {}
  try {
    return secrets.openJson<Record<string, string>>(storedSealed)
  } catch (error) {
    if (error instanceof SecretUnavailableError) return null
    throw error
  }
}
