// What may be said about a failure outside the worker's memory (logs, operation errors, statuses). A DriverError's
// message is written from fixed templates (workers/drivers) and is safe to show. Any other error's message is not:
// Prisma's invocation errors print the call's arguments, JSON.parse quotes its input, a library may echo what it was
// given, and any of those can be a protected setting. So only the error's type, code and stack frames go out.
import { DriverError } from './drivers/driver.js'

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 40) : undefined
}

function typeOf(error: unknown): string {
  return error instanceof Error ? (error.constructor?.name ?? error.name) : typeof error
}

/** For a log line: never an arbitrary error's message. */
export function loggableError(error: unknown): Record<string, string | undefined> {
  if (error instanceof DriverError) return { type: 'DriverError', code: error.code, failureClass: error.failureClass, message: error.message }
  if (!(error instanceof Error)) return { type: typeOf(error) }
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.startsWith('    at '))
    .join('\n')
  return { type: typeOf(error), code: codeOf(error), stack: frames || undefined }
}

/** For a user: the driver's own words, or which kind of internal error it was. */
export function failureReason(error: unknown): string {
  if (error instanceof DriverError) return error.message
  const code = error instanceof Error ? codeOf(error) : undefined
  return `an internal error (${typeOf(error)}${code ? ` ${code}` : ''}); the worker's log shows where it happened`
}
