import { pino, type DestinationStream, type Logger } from 'pino'
import pretty from 'pino-pretty'

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const REDACTED_PATHS = ['req.headers.authorization', '*.configurationProtectedSettings', '*.properties.configurationProtectedSettings', '*.kubeconfig', '*.protectedValues']

/** LOG_FORMAT: `pretty` for people, `json` for collectors; `auto` is pretty on a terminal and JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty'

/**
 * `destination` defaults to stdout; tests pass a stream to read what would be logged. Pretty output is formatted in
 * this thread (pino-pretty as a stream, not a transport), so a line is on the terminal before the process moves on.
 */
export function createLogger(level: string, name: string, destination?: DestinationStream, format: LogFormat = 'auto'): Logger {
  const options = { level, name, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }
  if (destination) return pino(options, destination)
  const human = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true)
  return human ? pino(options, pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })) : pino(options)
}
