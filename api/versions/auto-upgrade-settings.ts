// autoUpgradeMode (2025-03-01) next to autoUpgradeMinorVersion and version: which combinations a request may send
// and what is stored, so the two fields never disagree about whether auto-upgrade runs (docs/arm-rules.md rule 58).
import type { AutoUpgradeMode } from '../../core/domain/model.js'
import { ArmErrors } from '../arm/errors.js'

/** The three fields as the request sent them (undefined: not sent) and as they are stored now (null: a create). */
export interface AutoUpgradeInput {
  sent: { mode: AutoUpgradeMode | null | undefined; minor: boolean | undefined; version: string | null | undefined }
  stored: { mode: AutoUpgradeMode | null; minor: boolean; version: string | null } | null
}

export interface AutoUpgradeSettings {
  autoUpgradeMode: AutoUpgradeMode | null
  autoUpgradeMinorVersion: boolean
  version: string | null
}

/**
 * Refused: mode `none` with autoUpgradeMinorVersion=true, and mode `patch`/`compatible` with a pinned version (the
 * swagger: "To use 'version', autoUpgradeMinorVersion must be 'false'"; a pinned version never auto-upgrades).
 * Derived: a mode sent alone sets autoUpgradeMinorVersion (`none` → false, else true); a pinned version stores mode
 * `none`; autoUpgradeMinorVersion=true sent over a stored `none` returns to the default mode.
 */
export function settleAutoUpgrade({ sent, stored }: AutoUpgradeInput): AutoUpgradeSettings {
  if (sent.mode === 'none' && sent.minor === true) {
    throw ArmErrors.invalidRequestContent(
      "properties.autoUpgradeMode 'none' contradicts properties.autoUpgradeMinorVersion true; send one of them, or autoUpgradeMinorVersion false with mode 'none'.",
      'properties.autoUpgradeMode',
    )
  }
  const minor = sent.minor ?? (sent.mode ? sent.mode !== 'none' : (stored?.minor ?? true))
  const version = sent.version !== undefined ? sent.version : (stored?.version ?? null)
  let mode = sent.mode !== undefined ? sent.mode : (stored?.mode ?? null)
  if (sent.mode === undefined && minor && mode === 'none') mode = null
  if (version !== null && mode !== 'none') {
    if (sent.mode) {
      throw ArmErrors.invalidRequestContent(`properties.version '${version}' pins the extension, which needs properties.autoUpgradeMode 'none' (not '${sent.mode}').`, 'properties.autoUpgradeMode')
    }
    mode = 'none'
  }
  return { autoUpgradeMode: mode, autoUpgradeMinorVersion: minor, version }
}
