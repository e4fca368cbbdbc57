// Property-based fuzzing of every route over real sockets (issue 13): a fixed seed for about a minute in `npm test`;
// `npm run fuzz -- --seconds N --seed S` runs longer or elsewhere in the input space.
import { expect, it } from 'vitest'
import { runFuzz } from './fuzz-run.js'

const seed = Number(process.env.ARCEXT_FUZZ_SEED ?? 20261205)
/** Per mode: about a minute in all. */
const seconds = Number(process.env.ARCEXT_FUZZ_SECONDS ?? 30)

it.each(['dev', 'jwt'] as const)(`AUTH_MODE=%s: hostile requests get 4xx envelopes, never a 5xx, and change nothing they may not (seed ${seed}, ${seconds} s)`, { timeout: (seconds + 120) * 1000 }, async (authMode) => {
  const report = await runFuzz({ seed, seconds, authMode, survey: process.env.ARCEXT_FUZZ_SURVEY === '1' })
  console.info(`fuzz: ${report.requests} requests, statuses ${JSON.stringify(report.statuses)}`)
  if (process.env.ARCEXT_FUZZ_SURVEY === '1') console.info(JSON.stringify(report.examples, null, 1))
  expect(report.failure).toBeUndefined()
  expect(report.requests).toBeGreaterThan(100)
})
