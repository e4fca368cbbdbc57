import { loadConfig } from '../core/config.js'
import { runMain } from '../core/main-process.js'
import { startWorkerProcess } from './worker-process.js'

await runMain('worker', () => startWorkerProcess(loadConfig()))
