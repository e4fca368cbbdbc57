// What a `.cpuprofile` says in a few lines: where busy time went, by function (self time) and by owner (a package,
// node's own code, or one of this repo's folders). Shares are of busy samples (idle left out), so a profile taken
// over a pass where the process also waited between requests still reads as "of the CPU it used". A native leaf
// (writev, a wasm function) has no file of its own and is charged to the owner of the JavaScript frame that called
// it, and so is Node's own code (`node:net`, streams): a socket write made by `pg` counts as `pg`'s. Only work with
// no package or repo frame above it (an event-loop callback inside Node) stays `node`.
import { readFileSync } from 'node:fs'
import { repoRoot } from '../../core/paths.js'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface Share {
  name: string
  /** Of busy time, 0–100. */
  percent: number
}

export interface ProfileSummary {
  /** Busy (non-idle) sampled time, in milliseconds. */
  busyMs: number
  functions: Share[]
  owners: Share[]
}

const NOT_BUSY = new Set(['(idle)'])

/** Who a frame's code belongs to: `pg`, `@prisma/client`, `api`, `core`, `(garbage collector)`, or null (Node's own code, native, wasm: its caller's). */
function ownerOf(frame: CallFrame): string | null {
  const { url, functionName } = frame
  // (root) is every stack's bottom: reaching it means no package or repo frame called the code.
  if (functionName === '(root)') return 'node'
  if (!url) return functionName.startsWith('(') ? functionName : null
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg?.[1]) return pkg[1]
  if (url.startsWith('node:')) return null
  if (url.startsWith('wasm')) return null
  const local = url.replace(/^file:\/\//, '')
  if (local.startsWith(repoRoot)) {
    const [first = '', second = ''] = local.slice(repoRoot.length + 1).split('/')
    return first === 'dist' ? second : first
  }
  return url
}

function label(frame: CallFrame): string {
  const where = frame.url ? `${frame.url.replace(/^file:\/\//, '').replace(`${repoRoot}/`, '')}:${frame.lineNumber + 1}` : ''
  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`
}

function top(totals: Map<string, number>, busy: number, count: number): Share[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => ({ name, percent: busy > 0 ? (100 * micros) / busy : 0 }))
}

export function summarizeProfile(file: string, count = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parentOf = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)
  const ownerCache = new Map<number, string>()
  const owner = (id: number): string => {
    const cached = ownerCache.get(id)
    if (cached !== undefined) return cached
    const node = byId.get(id)
    const own = node ? ownerOf(node.callFrame) : '(unknown)'
    const parent = parentOf.get(id)
    const resolved = own ?? (parent === undefined ? 'node' : owner(parent))
    ownerCache.set(id, resolved)
    return resolved
  }
  const functions = new Map<string, number>()
  const owners = new Map<string, number>()
  let busy = 0
  profile.samples.forEach((id, index) => {
    const node = byId.get(id)
    // A sample's delta is the time since the sample before it, so sample i lasted until sample i + 1; the first delta
    // is the wait from starting the profiler to the first sample, not time spent where that sample was taken.
    const micros = profile.timeDeltas[index + 1] ?? 0
    if (!node || NOT_BUSY.has(node.callFrame.functionName) || micros <= 0) return
    busy += micros
    const name = label(node.callFrame)
    functions.set(name, (functions.get(name) ?? 0) + micros)
    const who = owner(id)
    owners.set(who, (owners.get(who) ?? 0) + micros)
  })
  return { busyMs: busy / 1000, functions: top(functions, busy, count), owners: top(owners, busy, count) }
}

export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const shares = (list: Share[]) => list.map((share) => `    ${share.percent.toFixed(1).padStart(5)}%  ${share.name}`)
  return [
    `${title}: ${summary.busyMs.toFixed(0)} ms busy`,
    '  by owner (self time; Node internals and native code charged to the package or folder that called them):',
    ...shares(summary.owners),
    '  by function (self time):',
    ...shares(summary.functions),
  ].join('\n')
}
