// A command's view of its invocation: the parsed options and positionals (node:util parseArgs), the output format
// and the connection to the service, from flags first and the ARCEXT_* environment second.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { connection, type Connection } from './http.js'
import { UsageError } from './errors.js'
import type { Format } from './output.js'

export type Options = NonNullable<ParseArgsConfig['options']>
type Value = string | boolean | (string | boolean)[] | undefined

export const DEFAULT_URL = 'http://127.0.0.1:8080'

/** Accepted by every command, before or after its name. */
export const GLOBAL_OPTIONS: Options = {
  url: { type: 'string' },
  ca: { type: 'string' },
  token: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
}

export interface Command {
  /** The words that name it: ['ext', 'install']. */
  words: string[]
  /** Arguments and options after the words, as the help shows them. */
  usage: string
  summary: string
  options?: Options
  run(context: Context): Promise<number | void>
}

export class Context {
  private connectionMemo: Connection | undefined

  constructor(
    private readonly values: Record<string, Value>,
    readonly positionals: string[],
    readonly env: NodeJS.ProcessEnv,
    readonly format: Format,
  ) {}

  get conn(): Connection {
    this.connectionMemo ??= connection(
      this.string('url') ?? (this.env.ARCEXT_URL || DEFAULT_URL),
      this.string('ca') ?? (this.env.ARCEXT_CA || undefined),
      this.string('token') ?? this.env.ARCEXT_TOKEN,
    )
    return this.connectionMemo
  }

  string(name: string): string | undefined {
    const value = this.values[name]
    return typeof value === 'string' ? value : undefined
  }

  flag(name: string): boolean {
    return this.values[name] === true
  }

  list(name: string): string[] {
    const value = this.values[name]
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : []
  }

  /** A whole or decimal number option, checked; `fallback` when absent. */
  number(name: string, fallback: number, { min = 0, integer = false } = {}): number {
    const raw = this.string(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${name} needs ${integer ? 'a whole number' : 'a number'} of at least ${min}, not '${raw}'`)
    }
    return value
  }

  /** The n-th positional argument (after the command's words), required. */
  argument(index: number, what: string): string {
    const value = this.positionals[index]
    if (value === undefined || value === '') throw new UsageError(`missing ${what}`)
    return value
  }
}

export function contextFor(command: Command, args: string[], env: NodeJS.ProcessEnv): Context {
  let parsed: { values: Record<string, Value>; positionals: string[] }
  try {
    const { values, positionals } = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true })
    parsed = { values, positionals }
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''))
  }
  const output = (parsed.values.output as string | undefined) ?? 'table'
  if (output !== 'table' && output !== 'json') throw new UsageError(`-o/--output is 'table' or 'json', not '${output}'`)
  return new Context(parsed.values, parsed.positionals, env, output)
}
