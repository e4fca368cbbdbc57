import { pino, type Logger } from 'pino'

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  '*.configurationProtectedSettings',
  '*.properties.configurationProtectedSettings',
  '*.kubeconfig',
  '*.protectedValues',
]

export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } })
}
