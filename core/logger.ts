import { pino, type DestinationStream, type Logger } from 'pino'

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const REDACTED_PATHS = ['req.headers.authorization', '*.configurationProtectedSettings', '*.properties.configurationProtectedSettings', '*.kubeconfig', '*.protectedValues']

/** `destination` defaults to stdout; tests pass a stream to read what would be logged. */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options = { level, name, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }
  return destination ? pino(options, destination) : pino(options)
}
