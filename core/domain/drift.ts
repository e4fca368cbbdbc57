// Drift: an installed release that no longer matches what arcext last applied (its last known good), as the drift
// observer (workers/jobs/drift-check.ts) found it through the cluster's driver. Stored on the extension
// (extensions.drift), shown in its statuses[] and, at 2025-03-01, as extensionState `Drifted`.
import type { ExtensionStatus } from './model.js'

export type DriftKind = 'releaseMissing' | 'versionChanged' | 'valuesChanged' | 'statusChanged'

export interface DriftDifference {
  kind: DriftKind
  /** What arcext applied; never a value of a setting (values are compared by digest). */
  expected: string
  observed: string
}

export interface ExtensionDrift {
  differences: DriftDifference[]
  /** ISO time the observer first saw this drift (kept while the same kinds persist). */
  since: string
  /** ISO time of the observation that found it. */
  observedAt: string
}

export const DRIFT_STATUS_CODE = 'ReleaseDrifted'

export type DriftRepairMode = 'report' | 'repair'

export const DRIFT_REPAIR_MODES: readonly DriftRepairMode[] = ['report', 'repair']

/**
 * The configurationSettings key that overrides DRIFT_REPAIR for one extension. Keys starting `arcext.` are arcext's
 * own: they are never passed to the driver as release values.
 */
export const DRIFT_REPAIR_SETTING = 'arcext.driftRepair'

export const RESERVED_SETTING_PREFIX = 'arcext.'

/** The settings a release is installed with: the caller's, without arcext's own keys. */
export function releaseValues(settings: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).filter(([key]) => !key.startsWith(RESERVED_SETTING_PREFIX)))
}

export function driftRepairMode(settings: Readonly<Record<string, string>>, fallback: DriftRepairMode): DriftRepairMode {
  const value = settings[DRIFT_REPAIR_SETTING]
  return value === 'report' || value === 'repair' ? value : fallback
}

export function driftOf(row: { drift: unknown }): ExtensionDrift | null {
  const value = row.drift as ExtensionDrift | null
  return value && Array.isArray(value.differences) ? value : null
}

const WORDS: Record<DriftKind, (d: DriftDifference) => string> = {
  releaseMissing: () => 'the release is no longer installed',
  versionChanged: (d) => `version ${d.observed} is installed instead of ${d.expected}`,
  valuesChanged: () => 'its values differ from the applied configuration settings',
  statusChanged: (d) => `its status is '${d.observed}' instead of '${d.expected}'`,
}

/** The statuses[] entry that reports drift: what differs and since when. */
export function driftStatus(releaseName: string, drift: ExtensionDrift, mode: DriftRepairMode): ExtensionStatus {
  const what = drift.differences.map((d) => WORDS[d.kind](d)).join('; ')
  const next =
    mode === 'repair'
      ? 'A repair operation re-applies the last applied release.'
      : `Re-apply it with PUT, POST …/rollback, or set DRIFT_REPAIR=repair (or the setting '${DRIFT_REPAIR_SETTING}': 'repair').`
  return {
    code: DRIFT_STATUS_CODE,
    displayStatus: 'Drifted',
    level: 'Warning',
    message: `Release '${releaseName}' was changed outside arcext: ${what} (since ${drift.since}). ${next}`,
    time: drift.observedAt,
  }
}
