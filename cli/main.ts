// arcext, the command line of a running instance (README: CLI): a thin HTTP client of its API, found at --url or
// ARCEXT_URL. Each command group is a module under cli/commands/; this file finds the command and reports failures.
import { contextFor, DEFAULT_URL, type Command } from './context.js'
import { CliError, UsageError } from './errors.js'
import { adminCommands } from './commands/admin.js'
import { clusterCommands } from './commands/clusters.js'
import { extensionCommands } from './commands/extensions.js'
import { faultCommands } from './commands/faults.js'
import { operationCommands } from './commands/operations.js'
import { simulatorCommands } from './commands/simulator.js'
import { statusCommands } from './commands/status.js'

const COMMANDS: Command[] = [...statusCommands, ...clusterCommands, ...extensionCommands, ...operationCommands, ...faultCommands, ...simulatorCommands, ...adminCommands]

/** Options that take a value, so the value is not mistaken for a command word. */
const GLOBAL_VALUE_OPTIONS = new Set(['--url', '--ca', '--token', '--output', '-o'])

function usageLine(command: Command): string {
  return `arcext ${command.words.join(' ')}${command.usage ? ` ${command.usage}` : ''}`
}

function help(): string {
  const lines = COMMANDS.map((command) => `  ${command.words.join(' ').padEnd(18)}${command.summary}`)
  return [
    'Usage: arcext <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options of every command:',
    `  --url URL          the service (ARCEXT_URL; default ${DEFAULT_URL})`,
    '  --ca FILE          CA certificate to trust for https, e.g. .arcext/tls/cert.pem (ARCEXT_CA)',
    '  --token TOKEN      bearer token for AUTH_MODE=jwt (ARCEXT_TOKEN); `arcext token` prints one',
    '  -o, --output FMT   table (default) or json',
    "  -h, --help         this help, or a command's usage with `arcext <command> --help`",
    '',
    'Exit codes: 0 done; 1 refused, failed, not ready or timed out (one line on stderr); 2 a wrong command line.',
    '',
  ].join('\n')
}

/** The command the words name, and the arguments left for it. */
function findCommand(argv: string[]): { command: Command | undefined; rest: string[]; words: string[] } {
  const words: string[] = []
  const rest: string[] = []
  let command: Command | undefined
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!
    if (!command && !arg.startsWith('-')) {
      words.push(arg)
      command = COMMANDS.find((candidate) => candidate.words.length === words.length && candidate.words.every((word, at) => word === words[at]))
      if (command || COMMANDS.some((candidate) => candidate.words.length > words.length && candidate.words.every((word, at) => at >= words.length || word === words[at]))) continue
      return { command: undefined, rest, words }
    }
    rest.push(arg)
    if (!command && GLOBAL_VALUE_OPTIONS.has(arg) && index + 1 < argv.length) rest.push(argv[++index]!)
  }
  return { command, rest, words }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { command, rest, words } = findCommand(argv)
  if (!command) {
    if (words.length === 0 && (rest.includes('--help') || rest.includes('-h') || rest.length === 0)) {
      process.stdout.write(help())
      return rest.length === 0 ? 2 : 0
    }
    const group = COMMANDS.filter((candidate) => candidate.words[0] === words[0])
    if (group.length > 0) throw new UsageError(`'${words.join(' ')}' is not a command; try ${group.map((candidate) => `'arcext ${candidate.words.join(' ')}'`).join(', ')}`)
    throw new UsageError(`unknown command '${words.join(' ')}'`)
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`Usage: ${usageLine(command)}\n\n${command.summary}.\n`)
    return 0
  }
  const context = contextFor(command, rest, env)
  return (await command.run(context)) ?? 0
}

export async function runCli(): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2), process.env)
  } catch (error) {
    if (!(error instanceof CliError)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exitCode = error.exitCode
  }
}
