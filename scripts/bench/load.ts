// Closed-loop load over keep-alive HTTP: each of N lanes sends its next request as soon as the previous answer
// arrived, so throughput is what the server sustains at that concurrency. Loopback only: every base URL is checked.
import http from 'node:http'
import { performance } from 'node:perf_hooks'

export interface RequestSpec {
  method: 'GET' | 'PUT'
  path: string
  body?: unknown
}

export interface Answer {
  status: number
  body: string
}

export interface LoadOptions {
  /** One or more servers; lane i talks to baseUrls[i % baseUrls.length]. */
  baseUrls: readonly string[]
  connections: number
  /** Stop issuing requests after this long... */
  durationMs: number
  /** ...but not before this many were issued... */
  minRequests?: number
  /** ...and never more than this many. */
  maxRequests?: number
  request(index: number): RequestSpec
  /** Statuses that count as success; any other answer stops the pass with an error. */
  expect: readonly number[]
  /** Runs after a successful answer, inside the lane (e.g. waiting for the operation to finish); its time is part of the latency. */
  afterAnswer?(index: number, answer: Answer): Promise<void>
}

export interface LoadResult {
  requests: number
  elapsedMs: number
  latenciesMs: number[]
}

export class UnexpectedAnswer extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

export function send(agent: http.Agent, baseUrl: string, spec: RequestSpec): Promise<Answer> {
  const url = new URL(spec.path, baseUrl)
  if (!LOOPBACK.has(url.hostname)) throw new Error(`the bench only sends traffic to loopback, not ${url.hostname}`)
  const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body)
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { agent, method: spec.method, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        response.on('error', reject)
      },
    )
    request.setTimeout(120_000, () => request.destroy(new Error(`${spec.method} ${spec.path} got no answer in 120 s`)))
    request.on('error', (error) => reject(new Error(`${spec.method} ${url.toString()} failed: ${error.message}`, { cause: error })))
    request.end(payload)
  })
}

export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const agents = options.baseUrls.map(() => new http.Agent({ keepAlive: true, maxSockets: options.connections }))
  const latenciesMs: number[] = []
  let issued = 0
  let failed = false
  const started = performance.now()
  const deadline = started + options.durationMs
  const more = () => !failed && issued < (options.maxRequests ?? Infinity) && (performance.now() < deadline || issued < (options.minRequests ?? 0))
  const lane = async (laneIndex: number) => {
    const server = laneIndex % options.baseUrls.length
    const agent = agents[server]
    const baseUrl = options.baseUrls[server]
    if (!agent || baseUrl === undefined) throw new Error('no server for this lane')
    while (more()) {
      const index = issued
      issued += 1
      const spec = options.request(index)
      const sent = performance.now()
      const answer = await send(agent, baseUrl, spec)
      if (!options.expect.includes(answer.status)) {
        failed = true
        throw new UnexpectedAnswer(`${spec.method} ${spec.path} answered ${answer.status} (expected ${options.expect.join(' or ')}): ${answer.body.slice(0, 500)}`)
      }
      await options.afterAnswer?.(index, answer)
      latenciesMs.push(performance.now() - sent)
    }
  }
  try {
    const outcomes = await Promise.allSettled(Array.from({ length: options.connections }, (_, i) => lane(i)))
    const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
    if (rejected) throw rejected.reason
  } finally {
    for (const agent of agents) agent.destroy()
  }
  return { requests: latenciesMs.length, elapsedMs: performance.now() - started, latenciesMs }
}
