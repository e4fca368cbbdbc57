import { loadConfig } from '../core/config.js'
import { runMain } from '../core/main-process.js'
import { startApi } from './server.js'

await runMain('api', () => startApi(loadConfig()))
