// How far auto-upgrade may move an extension: the sweep and the apply job read it, the api keeps the stored fields
// consistent with it (api/versions/auto-upgrade-settings.ts, docs/arm-rules.md rule 58).
import type { AutoUpgradeMode, ExtensionSpec } from './model.js'

/**
 * `none` unless both fields allow upgrades: autoUpgradeMinorVersion=false or a pinned version stop them whatever the
 * mode says (Azure's own example creates `compatible` with autoUpgradeMinorVersion=false); an extension written
 * before 2025-03-01 has no mode and upgrades as `compatible` did (minor and patch within its major).
 */
export function autoUpgradeReach(spec: Pick<ExtensionSpec, 'autoUpgradeMinorVersion' | 'autoUpgradeMode' | 'version'>): AutoUpgradeMode {
  if (!spec.autoUpgradeMinorVersion || spec.version !== null) return 'none'
  return spec.autoUpgradeMode ?? 'compatible'
}
