// How the CLI fails: one line on stderr and an exit code (README: CLI). 1: the service refused or something failed;
// 2: the command line itself is wrong.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(`${message} (arcext --help lists the commands)`, 2)
  }
}
