// Settings keys starting `arcext.` are arcext's own, for every extension type: they steer arcext (the drift repair
// mode, core/domain/drift.ts) and are never passed to the release. Unknown ones are refused so a typo is not silently
// ignored, and they belong in configurationSettings only (nothing in them is secret).
import { DRIFT_REPAIR_MODES, DRIFT_REPAIR_SETTING, RESERVED_SETTING_PREFIX } from '../domain/drift.js'
import { ErrorCodes } from '../domain/error-catalogue.js'
import type { RuleViolation } from './rules.js'

const KNOWN: Record<string, readonly string[]> = { [DRIFT_REPAIR_SETTING]: DRIFT_REPAIR_MODES }

const invalid = (target: string, message: string): RuleViolation => ({ rule: ErrorCodes.InvalidConfigurationSetting, target, message, status: 400 })

export function checkReservedSettings(settings: Readonly<Record<string, string>> | undefined, protectedSettings: Readonly<Record<string, string>> | null | undefined): RuleViolation[] {
  const violations: RuleViolation[] = []
  for (const [key, value] of Object.entries(settings ?? {})) {
    if (!key.startsWith(RESERVED_SETTING_PREFIX)) continue
    const target = `properties.configurationSettings['${key}']`
    const allowed = KNOWN[key]
    if (!allowed) violations.push(invalid(target, `Key '${key}' is not an arcext setting: keys starting '${RESERVED_SETTING_PREFIX}' are reserved; known: ${Object.keys(KNOWN).join(', ')}.`))
    else if (!allowed.includes(value)) violations.push(invalid(target, `Key '${key}' must be one of ${allowed.map((v) => `'${v}'`).join(', ')}.`))
  }
  for (const key of Object.keys(protectedSettings ?? {})) {
    if (key.startsWith(RESERVED_SETTING_PREFIX)) {
      violations.push(invalid(`properties.configurationProtectedSettings['${key}']`, `Key '${key}' is reserved for arcext settings, which belong in properties.configurationSettings.`))
    }
  }
  return violations
}
