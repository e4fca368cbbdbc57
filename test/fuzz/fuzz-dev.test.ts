// Property-based fuzzing of every route over real sockets (issue 13) in AUTH_MODE=dev: the generators never address the victim subscription.
// `npm run fuzz -- --seconds N --seed S` runs longer or elsewhere in the input space.
import { expect, it } from 'vitest'
import { FUZZ_SECONDS, FUZZ_SEED, FUZZ_TIMEOUT_MS, fuzzCampaign } from './fuzz-run.js'

it(`AUTH_MODE=dev: hostile requests get 4xx envelopes, never a 5xx, and change nothing they may not (seed ${FUZZ_SEED}, ${FUZZ_SECONDS} s)`, { timeout: FUZZ_TIMEOUT_MS }, async () => {
  const report = await fuzzCampaign('dev')
  expect(report.failure).toBeUndefined()
  expect(report.requests).toBeGreaterThan(100)
})
