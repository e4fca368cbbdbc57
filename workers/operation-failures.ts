// Every way an operation can fail, worded for the person who has to act on it: what failed, why, and what to do
// next. The same text lands in the operation's `error`, the extension's `errorInfo` and its `statuses[]`.
import { ErrorCodes } from '../core/domain/error-catalogue.js'
import type { ErrorDetail, ExtensionStatus } from '../core/domain/model.js'
import type { Operation, Outcome } from '../core/store/operations.js'
import { DriverError } from './drivers/driver.js'
import { failureReason } from './error-facts.js'

const WHAT: Record<string, string> = {
  'extension.install': 'installation',
  'extension.update': 'update',
  'extension.upgrade': 'automatic upgrade',
  'extension.rollback': 'rollback',
  'extension.repair': 'drift repair',
  'extension.delete': 'uninstallation',
  'extension.cleanup': 'cleanup after forceDelete',
  'cluster.delete': 'cluster deletion',
}

const NEXT_STEP: Record<string, string> = {
  'extension.install': 'Fix the cause, then send the PUT again to retry, or DELETE the extension.',
  'extension.update': 'Fix the cause, then send the PUT or PATCH again to retry.',
  'extension.upgrade': 'Fix the cause, then send a PUT or PATCH to retry the upgrade, or pin a version.',
  'extension.rollback': 'Fix the cause, then POST …/rollback again, or send a PUT with the settings to run.',
  'extension.repair': 'Fix the cause; the next drift check repairs the release again, or send a PUT to re-apply it.',
  'extension.delete': 'Fix the cause, then DELETE the extension again; with forceDelete=true the resource is removed without uninstalling the release.',
  'extension.cleanup': 'The extension is already deleted; remove what is left of its release on the cluster (for example with helm uninstall).',
  'cluster.delete': 'Fix the cause, then DELETE the cluster again; with forceDelete=true its extensions are removed without uninstalling their releases.',
}

function what(op: Pick<Operation, 'kind'>): string {
  return WHAT[op.kind] ?? `'${op.kind}' operation`
}

function sentence(text: string): string {
  const trimmed = text.trim()
  return /[.!?)]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

function withNextStep(op: Pick<Operation, 'kind'>, message: string): string {
  const next = NEXT_STEP[op.kind]
  return next ? `${sentence(message)} ${next}` : sentence(message)
}

export interface FailureContext {
  attempt: number
  /** True when a transient failure used up the last attempt. */
  exhausted: boolean
}

export function failureDetail(error: unknown, op: Operation, context: FailureContext): ErrorDetail {
  const attempts = context.exhausted ? ` The ${what(op)} was attempted ${context.attempt} times before giving up.` : ''
  if (error instanceof DriverError) {
    return { code: error.code, message: withNextStep(op, `${sentence(error.message)}${attempts}`), target: op.resourceId }
  }
  return {
    code: ErrorCodes.InternalOperationError,
    message: withNextStep(op, `The ${what(op)} could not be completed because of ${sentence(failureReason(error))}${attempts}`),
    target: op.resourceId,
  }
}

export function deadlineDetail(op: Operation, deadlineSeconds: number): ErrorDetail {
  return {
    code: ErrorCodes.OperationDeadlineExceeded,
    message: withNextStep(
      op,
      `The ${what(op)} did not finish within ${deadlineSeconds} seconds (OPERATION_DEADLINE_SECONDS) of being accepted and was stopped. ` +
        'The cluster may be unreachable, or the release may be stuck waiting for resources that never become ready.',
    ),
    target: op.resourceId,
  }
}

export function errorStatus(detail: ErrorDetail): ExtensionStatus {
  return { code: detail.code, displayStatus: 'Failed', level: 'Error', message: detail.message, time: new Date().toISOString() }
}

export function failedOutcome(detail: ErrorDetail): Outcome {
  return { status: 'Failed', error: detail, statuses: [errorStatus(detail)] }
}

/** The warning an extension shows while a transient failure waits for its next attempt. */
export function retryStatus(error: unknown, op: Operation, attempt: number, maxAttempts: number, delayMs: number): ExtensionStatus {
  const reason = failureReason(error)
  return {
    code: error instanceof DriverError ? error.code : ErrorCodes.InternalOperationError,
    displayStatus: 'Retrying',
    level: 'Warning',
    message: `Attempt ${attempt} of ${maxAttempts} of the ${what(op)} failed: ${sentence(reason)} Retrying in ${Math.max(1, Math.round(delayMs / 1000))} s.`,
    time: new Date().toISOString(),
  }
}
