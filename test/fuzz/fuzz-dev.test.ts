// Property-based fuzzing of every route over real sockets (issue 13) in AUTH_MODE=dev: the generators never address the victim subscription.
// `npm run fuzz -- --seconds N --seed S` runs longer or elsewhere in the input space.
import { fuzzTest } from './fuzz-run.js'

fuzzTest('dev')
