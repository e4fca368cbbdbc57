// Times each phase of a driver call for the operation's timeline. The runner gives each attempt a DriverSteps
// (OperationRun.steps); drivers wrap their phases in `driverStep`, and the job hands what was taken to the statement
// that ends the attempt, so the timeline costs no statement of its own (core/store/operations.ts).
import type { DriverStep, DriverStepName } from '../../core/domain/driver-step.js'
import { DriverError, type DriverCallOptions } from './driver.js'

/** An attempt's driver steps, in the order they started. */
export class DriverSteps {
  readonly taken: DriverStep[] = []

  async run<T>(driver: string, step: DriverStepName, work: () => T | Promise<T>): Promise<T> {
    const startedAt = Date.now()
    // Pushed at the start, so a step that is still running when the attempt ends (abandoned at a deadline) is kept too.
    const entry: DriverStep = { driver, step, startedAt, status: 'InProgress' }
    this.taken.push(entry)
    try {
      const result = await work()
      entry.status = 'Succeeded'
      return result
    } catch (error) {
      entry.status = 'Failed'
      // A code names the failure; the message may quote helm, so it is never kept.
      if (error instanceof DriverError) entry.errorCode = error.code
      throw error
    } finally {
      entry.durationMs = Date.now() - startedAt
    }
  }
}

/** Runs one phase of a driver call, timed when the caller asked for steps. */
export function driverStep<T>(options: DriverCallOptions | undefined, driver: string, step: DriverStepName, work: () => T | Promise<T>): Promise<T> {
  return options?.steps ? options.steps.run(driver, step, work) : Promise.resolve().then(work)
}
