// The bare stack the project is measured against: Fastify and a `pg` pool doing the same single-row read and
// single-row insert on a table of its own, with nothing else (no ARM rules, no ORM, no queue, no logging).
import Fastify from 'fastify'
import pg from 'pg'

const databaseUrl = process.env.DATABASE_URL
const port = Number(process.env.PORT)
if (!databaseUrl || !Number.isInteger(port)) throw new Error('the baseline server needs DATABASE_URL and PORT')

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })
await pool.query(`CREATE TABLE IF NOT EXISTS bench_baseline_rows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`)

const app = Fastify({ logger: false })

app.get('/healthz', () => ({ status: 'ok' }))

app.get<{ Params: { name: string } }>('/rows/:name', async (request, reply) => {
  const { rows } = await pool.query('SELECT id, name, body, created_at FROM bench_baseline_rows WHERE name = $1', [request.params.name])
  if (!rows[0]) return reply.code(404).send({ error: { code: 'NotFound', message: 'no such row' } })
  return rows[0]
})

app.put<{ Params: { name: string } }>('/rows/:name', async (request, reply) => {
  const { rows } = await pool.query('INSERT INTO bench_baseline_rows (name, body) VALUES ($1, $2) RETURNING id, name, body, created_at', [request.params.name, JSON.stringify(request.body ?? {})])
  return reply.code(201).send(rows[0])
})

await app.listen({ host: '127.0.0.1', port })

const stop = () => {
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0))
    .catch(() => process.exit(1))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
