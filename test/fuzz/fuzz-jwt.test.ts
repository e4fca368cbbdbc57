// Property-based fuzzing of every route over real sockets (issue 13) in AUTH_MODE=jwt: a Contributor/Reader token also addresses the victim.
// `npm run fuzz -- --seconds N --seed S` runs longer or elsewhere in the input space.
import { fuzzTest } from './fuzz-run.js'

fuzzTest('jwt')
