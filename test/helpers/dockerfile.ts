// Reads the Dockerfile and .dockerignore the way Docker does, for the parts this repository uses: line continuations,
// comments, ARG defaults before the first FROM, stages, and instructions with their flags. Anything it does not
// understand is an error, so the tests that rebuild the image from it never silently skip a line.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from '../../core/paths.js'

export interface Instruction {
  op: string
  /** The text after the instruction name, continuations joined. */
  text: string
  /** `--name=value` flags (COPY --from, HEALTHCHECK --interval), removed from `args`. */
  flags: Record<string, string>
  /** Shell-form words, or the JSON array of exec form. */
  args: string[]
  /** Whether the arguments were written in exec form (a JSON array). */
  exec: boolean
}

export interface Stage {
  name: string | undefined
  image: string
  instructions: Instruction[]
}

const KNOWN = new Set(['FROM', 'ARG', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD', 'LABEL', 'STOPSIGNAL'])

function parseInstruction(line: string): Instruction {
  const match = /^([A-Za-z]+)\s+(.*)$/s.exec(line)
  if (!match) throw new Error(`Dockerfile line not understood: ${line}`)
  const op = match[1]!.toUpperCase()
  if (!KNOWN.has(op)) throw new Error(`Dockerfile instruction ${op} is not one the image tests know how to check`)
  let rest = match[2]!.trim()
  const flags: Record<string, string> = {}
  if (op !== 'RUN' && op !== 'ENV') {
    for (let flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest); flag; flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
      flags[flag[1]!] = flag[2]!
      rest = rest.slice(flag[0].length)
    }
  }
  if (rest.startsWith('[')) return { op, text: rest, flags, args: JSON.parse(rest) as string[], exec: true }
  return { op, text: rest, flags, args: rest.split(/\s+/), exec: false }
}

/** The Dockerfile's stages in order, with ARG defaults substituted into FROM. */
export function readDockerfile(file = path.join(repoRoot, 'Dockerfile')): Stage[] {
  const lines = readFileSync(file, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const args: Record<string, string> = {}
  const stages: Stage[] = []
  for (const line of lines.map(parseInstruction)) {
    if (line.op === 'FROM') {
      const [image, as, name] = line.args
      const resolved = image!.replace(/\$\{(\w+)\}/g, (_, arg: string) => {
        if (args[arg] === undefined) throw new Error(`FROM uses ARG ${arg}, which has no default`)
        return args[arg]
      })
      stages.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] })
    } else if (stages.length === 0) {
      if (line.op !== 'ARG') throw new Error(`${line.op} before the first FROM`)
      const [name, value] = line.text.split('=')
      args[name!] = value ?? ''
    } else {
      stages.at(-1)!.instructions.push(line)
    }
  }
  return stages
}

/**
 * .dockerignore as Docker reads it for the patterns used here: paths relative to the context, `*` within one path
 * segment, `**` across segments, a directory excluding everything under it. Exceptions (`!`) are refused.
 */
export function dockerignore(file = path.join(repoRoot, '.dockerignore')): (relativePath: string) => boolean {
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const regexes = patterns.map((pattern) => {
    if (pattern.startsWith('!')) throw new Error(`.dockerignore exception ${pattern} is not supported by the image tests`)
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .split('**')
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]'),
      )
      .join('.*')
    return new RegExp(`^${body}(/.*)?$`)
  })
  return (relativePath) => regexes.some((regex) => regex.test(relativePath.split(path.sep).join('/')))
}
