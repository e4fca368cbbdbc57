// Creates the database if needed and applies committed migrations; api and worker also do this at startup.
import { loadConfig, redactUrl } from '../core/config.js'
import { migrate } from '../core/db/migrate.js'
import { runMain } from '../core/main-process.js'
import { assertPostgresReachable } from '../core/preflight.js'

await runMain('migrate', async () => {
  const config = loadConfig()
  await assertPostgresReachable(config.databaseUrl)
  const applied = await migrate(config.databaseUrl)
  console.error(`arcext migrate: ${redactUrl(config.databaseUrl)} is up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}`)
  process.exit(0)
})
