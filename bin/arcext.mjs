#!/usr/bin/env node
// `npx arcext <command>` (README: CLI). Runs cli/main.ts through tsx, installed by `npm ci` with the other development
// tools, so the CLI works from a fresh clone without a build step and never runs stale compiled output.
let register
try {
  ;({ register } = await import('tsx/esm/api'))
} catch {
  console.error("arcext: the CLI needs the repository's development dependencies; run `npm ci` (or `npm start`, which installs them) first")
  process.exit(1)
}
register()
const { runCli } = await import('../cli/main.ts')
await runCli()
