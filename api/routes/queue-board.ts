// GET /admin/queues: the BullMQ queue UI (bull-board) over the operations queue, for an operator following a job.
// Registered inside the admin routes, so it has their cross-site check; its routes declare no access, which the
// authorization hook reads as operator-only (Owner at "/" in jwt mode, a loopback peer in dev mode).
// Read-only: Postgres decides what runs (a job only says "look at operation X", and the reconciler delivers a lost
// one again), so retrying, removing or editing jobs from a browser would only fight it; POST /admin/reset and the
// operations endpoints are how an operator acts. Jobs carry only their operation's id (core/queue.ts), so the board
// cannot show a setting, let alone a protected one.
// bull-board and its Fastify adapter are loaded on the board's first request, not at start: they are about 12 MB
// of an api's resident memory that most processes never use (BENCHMARKS.md, Memory). Routes cannot be added to a
// running Fastify, so the board lives in a Fastify instance of its own, built then, and this api's routes under
// QUEUE_BOARD_PATH hand it each request (after the admin hooks) and send back its answer.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Queue } from 'bullmq'
import { toArmError } from '../arm/error-envelope.js'
import { ArmErrors } from '../arm/errors.js'

export const QUEUE_BOARD_PATH = '/admin/queues'

async function buildBoard(queue: Queue): Promise<FastifyInstance> {
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([import('@bull-board/api'), import('@bull-board/api/bullMQAdapter'), import('@bull-board/fastify')])
  const board = new FastifyAdapter()
  createBullBoard({
    // The api's own Queue object, so the key prefix (with its hash tag on a Redis Cluster) is the workers' one.
    queues: [new BullMQAdapter(queue, { readOnlyMode: true, description: 'Operation jobs: each names an operation row in Postgres' })],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'arcext queues' } },
  })
  // bull-board answers errors in its own shape from an error handler of its own; what reaches it keeps ARM's
  // envelope. What its handlers answer themselves (404 unknown queue or job, 405 read-only) keeps bull-board's shape,
  // `{"error": {"key": …}}`, which its page translates for the operator.
  board.setErrorHandler((error) => {
    const armError = toArmError(error) ?? ArmErrors.internal()
    return { status: armError.statusCode as 500, body: armError.toBody() }
  })
  board.setBasePath(QUEUE_BOARD_PATH)
  const inner = Fastify({ logger: false })
  await inner.register(board.registerPlugin(), { prefix: QUEUE_BOARD_PATH })
  // A path the board does not know answers as any unknown path of the api does.
  inner.setNotFoundHandler((request, reply) => {
    const armError = ArmErrors.routeNotFound(request.method, request.url.split('?')[0] ?? '')
    return reply.code(armError.statusCode).send(armError.toBody())
  })
  await inner.ready()
  return inner
}

/** Headers of the board's answer that belong to its connection, not to the answer sent on this one. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'])

export function queueBoardRoutes(app: FastifyInstance): void {
  let board: Promise<FastifyInstance> | null = null
  app.addHook('onClose', async () => {
    if (board) await (await board.catch(() => null))?.close()
  })

  async function forward(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    board ??= buildBoard(app.services.queue.queue).catch((error: unknown) => {
      board = null
      throw error
    })
    const headers = { ...request.headers }
    delete headers['content-length']
    delete headers['transfer-encoding']
    const answer = await (
      await board
    ).inject({
      method: request.method as 'GET',
      url: request.url,
      headers,
      ...(request.body === undefined ? {} : { payload: typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body) }),
    })
    reply.code(answer.statusCode)
    for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !CONNECTION_HEADERS.has(name)) reply.header(name, value)
    return reply.send(answer.rawPayload)
  }
  // Its routes declare no access, which the authorization hook reads as operator-only.
  // Left out of the OpenAPI document, as bull-board's own routes were.
  const options = { schema: { hide: true } }
  app.all(QUEUE_BOARD_PATH, options, forward)
  app.all(`${QUEUE_BOARD_PATH}/*`, options, forward)
}
