// Catalog rules return reasons; this maps them to ARM errors. The rule name is the error code, so a client can act
// on it, and the message names the offending value and what is allowed instead.
import type { RuleViolation } from '../../core/catalog/index.js'
import { ArmError } from './errors.js'

export function assertNoViolations(violations: RuleViolation[]): void {
  const [first, ...rest] = violations
  if (!first) return
  const status = violations.some((v) => v.status === 409) && violations.every((v) => v.status === 409) ? 409 : first.status
  throw new ArmError(first.rule, first.message, first.target, rest.length ? violations.map((v) => ({ code: v.rule, message: v.message, target: v.target })) : undefined, {}, status)
}
