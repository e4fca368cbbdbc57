// A loopback TCP port nothing listens on right now, for a process started next (the bench's servers, the tests'
// private Postgres, Redis and image runs). The kernel picks it; another process could take it before ours binds,
// which on a test machine is rare enough that callers do not retry.
import net from 'node:net'

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no free port')
  return address.port
}
