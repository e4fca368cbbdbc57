import type { Logger } from 'pino'
import type { Db } from '../core/db/client.js'
import type { ExtensionSpec, ExtensionStatus } from '../core/domain/model.js'
import type { SecretBox } from '../core/secrets.js'
import type { ClusterDriver } from './drivers/driver.js'
import type { WorkerMetrics } from './worker-metrics.js'

/** Answers catalog questions the worker needs; backed by the extension-type catalog. */
export interface ReleasePlanner {
  /** The version to install: the pinned one, else the newest on the train, moving an installed one only within its major when auto-upgrading. */
  targetVersion(spec: ExtensionSpec, currentVersion: string | null): string
  defaultNamespace(extensionType: string): string | null
  /** Statuses every instance of the type carries, such as the preview warning. */
  advisoryStatuses(extensionType: string): ExtensionStatus[]
}

/** Everything a job needs, built once per worker process. */
export interface WorkerContext {
  db: Db
  secrets: SecretBox
  drivers: Record<string, ClusterDriver>
  planner: ReleasePlanner
  log: Logger
  metrics: WorkerMetrics
}
