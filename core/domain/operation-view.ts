// What the operator endpoints answer for an operation and its timeline (GET /admin/operations[/{id}],
// api/routes/admin-operations.ts), declared once for the api that writes it and the CLI that reads it.
import type { ErrorDetail } from './model.js'

/** One timeline entry: only what the event carries (an accepted event has no attempt, a dispatched one no status). */
export interface TimelineEventView {
  at: string
  event: string
  attempt?: number
  status?: string
  errorCode?: string
  /** retryScheduled: the failure's error code. */
  reason?: string
  /** driverStep only (core/domain/driver-step.ts): the driver, its phase, and how long it took. */
  driver?: string
  step?: string
  durationMs?: number
}

export interface OperationView {
  id: string
  kind: string
  resourceId: string
  status: string
  percentComplete: number
  attempts: number
  apiVersion: string
  correlationId: string | null
  startTime: string
  endTime: string | null
  error: ErrorDetail | null
  /** GET /admin/operations/{id} only. */
  timeline?: TimelineEventView[]
}
