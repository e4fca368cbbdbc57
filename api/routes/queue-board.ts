// GET /admin/queues: the BullMQ queue UI (bull-board) over the operations queue, for an operator following a job.
// Registered inside the admin routes, so it has their cross-site check; its routes declare no access, which the
// authorization hook reads as operator-only (Owner at "/" in jwt mode, a loopback peer in dev mode).
// Read-only: Postgres decides what runs (a job only says "look at operation X", and the reconciler delivers a lost
// one again), so retrying, removing or editing jobs from a browser would only fight it; POST /admin/reset and the
// operations endpoints are how an operator acts. Jobs carry only their operation's id (core/queue.ts), so the board
// cannot show a setting, let alone a protected one.
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { FastifyInstance } from 'fastify'
import { toArmError } from '../arm/error-envelope.js'
import { ArmErrors } from '../arm/errors.js'

export const QUEUE_BOARD_PATH = '/admin/queues'

export async function queueBoardRoutes(app: FastifyInstance): Promise<void> {
  const board = new FastifyAdapter()
  createBullBoard({
    // The api's own Queue object, so the key prefix (with its hash tag on a Redis Cluster) is the workers' one.
    queues: [new BullMQAdapter(app.services.queue.queue, { readOnlyMode: true, description: 'Operation jobs: each names an operation row in Postgres' })],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'arcext queues' } },
  })
  // bull-board answers errors in its own shape from an error handler of its own, which would also answer the admin
  // hooks' refusals (401, 403, cross-site 403/415) inside its routes; they keep ARM's envelope and status instead.
  // What its handlers answer themselves (404 unknown queue or job, 405 read-only) keeps bull-board's shape,
  // `{"error": {"key": …}}`, which its page translates for the operator.
  board.setErrorHandler((error) => {
    const armError = toArmError(error) ?? ArmErrors.internal()
    return { status: armError.statusCode as 500, body: armError.toBody() }
  })
  board.setBasePath(QUEUE_BOARD_PATH)
  await app.register(board.registerPlugin(), { prefix: QUEUE_BOARD_PATH })
}
