// Shared entry-point behaviour for api and worker processes: one clear line on a startup failure (never a stack
// trace for a missing service), and a graceful stop on SIGTERM/SIGINT that a second signal cuts short.
// Not close-with-grace: it ends the process with exit code 1 on any second signal, and one Ctrl-C under `npm start`
// delivers two (the terminal's to the process group, and scripts/run.mjs forwarding its own), so every Ctrl-C would
// cut the graceful stop short. Its fixed delay would also cut a worker's stop, which has its own per-phase limits.
import { ConfigError } from './config.js'
import { CatalogFileError, CatalogValidationError } from './catalog/index.js'
import { ServiceUnavailableError } from './preflight.js'
import { KeyringMismatchError } from './key-check.js'
import { KeyringError } from './keyring.js'
import { installCpuProfileSignal } from './cpu-profile.js'

export interface Running {
  stop(): Promise<void>
}

function startupFailure(name: string, error: unknown): never {
  const code = (error as { code?: string }).code
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    console.error(`arcext ${name}: cannot start: ${(error as Error).message}; set HOST/PORT/HTTPS_PORT to a free address`)
    process.exit(1)
  }
  const known =
    error instanceof ServiceUnavailableError ||
    error instanceof ConfigError ||
    error instanceof CatalogValidationError ||
    error instanceof CatalogFileError ||
    error instanceof KeyringError ||
    error instanceof KeyringMismatchError
  console.error(`arcext ${name}: cannot start: ${known ? error.message : ((error as Error).stack ?? String(error))}`)
  process.exit(1)
}

/** How long a process whose supervisor vanished may take to stop gracefully. */
const ORPHAN_STOP_DEADLINE_MS = 10_000

export async function runMain(name: string, start: () => Promise<Running>): Promise<void> {
  let stoppingSince = 0
  let resolveRunning: (running: Running) => void = () => undefined
  const running = new Promise<Running>((resolve) => (resolveRunning = resolve))

  // Installed before starting: a signal that arrives while the process is still starting stops it as soon as
  // it is up, instead of killing it half-initialised.
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince) {
      // Ctrl-C reaches the whole process group and the supervisor forwards it too: one keypress, two signals.
      // Only a signal sent well after the first one means "stop now".
      if (Date.now() - stoppingSince < 2000) return
      console.error(`arcext ${name}: ${signal} again, exiting now`)
      process.exit(130)
    }
    stoppingSince = Date.now()
    running
      .then((r) => r.stop())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(`arcext ${name}: error while stopping: ${(error as Error).message}`)
        process.exit(1)
      })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  installCpuProfileSignal(name, process.env.CPU_PROFILE_DIR)
  // Started by scripts/run.mjs (npm start) with an IPC channel: when the supervisor is gone, however it ended (even
  // SIGKILL), the channel closes and this process stops as it would on SIGTERM instead of outliving it.
  if (process.channel) {
    process.channel.unref()
    process.on('disconnect', () => {
      stop('SIGTERM')
      // Nobody is left to send the SIGKILL that normally ends a stop that hangs (a Redis or Postgres that died with
      // the supervisor can hold a graceful close forever), so the stop gets a deadline of its own. Operations a
      // worker could not hand back are recovered by the reconciler, as after any crash.
      setTimeout(() => {
        console.error(`arcext ${name}: the supervisor is gone and stopping took over ${ORPHAN_STOP_DEADLINE_MS / 1000} s, exiting now`)
        process.exit(1)
      }, ORPHAN_STOP_DEADLINE_MS).unref()
    })
  }

  try {
    resolveRunning(await start())
  } catch (error) {
    startupFailure(name, error)
  }
}
