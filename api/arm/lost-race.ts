// Writes are optimistic: a handler reads the resource, judges the request against it, and writes only if the row is
// still as it was read. A write that loses that race to another request is judged again against what the winner
// left instead of failing: preconditions are checked again (If-Match → 412, docs/arm-rules.md rules 45-47), an operation the
// winner started answers 409 AnotherOperationInProgress (docs/arm-rules.md rule 48), a resource the winner removed is created
// anew by a PUT (absent If-Match, last writer wins). Only a request that keeps losing is answered 409 Conflict.
import { ConcurrentModificationError } from '../../core/domain/errors.js'

/** Every round of a race has a winner, so this many rounds see a burst of that many writers through. */
const ROUNDS = 10

export async function judgedAgainstLatest<T>(handle: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round += 1) {
    try {
      return await handle()
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError) || round >= ROUNDS) throw error
    }
  }
}
