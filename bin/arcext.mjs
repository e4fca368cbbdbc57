#!/usr/bin/env node
// `npx arcext <command>` (README: CLI). Runs cli/main.ts through tsx, installed by `npm ci` with the other development
// tools, so the CLI works from a fresh clone without a build step and never runs stale compiled output.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../cli/main.ts')
await runCli()
