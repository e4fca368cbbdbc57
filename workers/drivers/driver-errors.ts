// The failures drivers report, worded once so the simulated driver fails exactly like the helm driver does and a
// user sees the same sentence (what failed, where, why, what to do) whichever driver served the cluster.
import type { SecretUnavailableError } from '../../core/secrets.js'
import { ErrorCodes, type OperationErrorCode } from '../../core/domain/error-catalogue.js'
import { DriverError, type DriverErrorKind } from './driver.js'

export type ReleaseAction = 'install' | 'upgrade' | 'uninstall' | 'status'

const ACTION_CODES: Record<ReleaseAction, OperationErrorCode> = {
  install: ErrorCodes.HelmInstallFailed,
  upgrade: ErrorCodes.HelmUpgradeFailed,
  uninstall: ErrorCodes.HelmUninstallFailed,
  status: ErrorCodes.HelmStatusFailed,
}

export interface ReleaseFailure {
  action: ReleaseAction
  releaseName: string
  namespace?: string | null
  /** What went wrong, in fixed words: never a tool's output, which can quote configuration values (helm-errors.ts). */
  reason: string
  /** What the user can do about it; appended after the reason. */
  hint?: string
  /** A more specific code than the action's own, e.g. HelmChartNotFound. */
  code?: OperationErrorCode
}

function sentence(text: string): string {
  const trimmed = text.trim()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

export function releaseFailed(kind: DriverErrorKind, failure: ReleaseFailure): DriverError {
  const where = failure.namespace ? ` in namespace '${failure.namespace}'` : ''
  const hint = failure.hint ? ` ${sentence(failure.hint)}` : ''
  return new DriverError(kind, failure.code ?? ACTION_CODES[failure.action], `Helm ${failure.action} of release '${failure.releaseName}'${where} failed: ${sentence(failure.reason)}${hint}`)
}

/**
 * Transient unless told otherwise: connectivity comes back. Driver messages say what failed and what to check;
 * whether and how to retry is added by the worker (workers/operation-failures.ts), which knows the attempts left.
 */
export function clusterUnreachable(clusterResourceId: string, reason: string, kind: DriverErrorKind = 'transient'): DriverError {
  return new DriverError(
    kind,
    ErrorCodes.ClusterUnreachable,
    `The cluster '${clusterResourceId}' is not reachable: ${sentence(reason)} ` + 'Check that the cluster is running and that its API server accepts connections from this service.',
  )
}

/** A call cut short by cancellation or worker shutdown; transient so that a later attempt carries it out. */
export function callInterrupted(action: ReleaseAction, releaseName: string, abortReason: unknown): DriverError {
  const why = abortReason instanceof Error && abortReason.name !== 'AbortError' && abortReason.message.trim() !== '' ? abortReason.message : 'the call was aborted'
  return new DriverError('transient', ErrorCodes.OperationInterrupted, `Helm ${action} of release '${releaseName}' was interrupted: ${sentence(why)}`)
}

/**
 * A stored secret the worker cannot decrypt (its key is not in the keyring, or it does not authenticate). Permanent:
 * no retry brings a key back; the operator has to restore it, or the secret has to be sent again (`replacedBy`).
 */
export function encryptionKeyUnavailable(what: string, cause: SecretUnavailableError, replacedBy?: string): DriverError {
  const why = cause.reason === 'missing-key' ? `it is sealed with encryption key '${cause.keyId}', which is not in this service's keyring` : cause.message
  return new DriverError(
    'permanent',
    ErrorCodes.EncryptionKeyUnavailable,
    `The ${what} cannot be decrypted: ${why}. This is a configuration fault of the service: its operator must restore the missing encryption key ` +
      `(see "Encryption keys and rotation" in the README).${replacedBy ? ` ${replacedBy}` : ''}`,
  )
}
