// The one small interface every cluster driver implements. Drivers do what they are told and report what they
// see; policy (what to install, retries, ordering) lives in the jobs, as in Flux's helm-controller.
import type { OperationErrorCode } from '../../core/domain/error-catalogue.js'
import type { ClusterFacts } from '../../core/domain/model.js'
import type { DriverSteps } from './driver-steps.js'

export interface TargetCluster {
  id: string
  resourceId: string
  facts: ClusterFacts
  /** Decrypted kubeconfig for real drivers; never logged. */
  kubeconfig: string | null
}

export interface ReleaseSpec {
  releaseName: string
  namespace: string
  extensionType: string
  version: string
  values: Record<string, string>
  protectedValues: Record<string, string>
  /** Keyed digest of version and values (values-digest.ts), made by the job; drivers record it with the release. */
  valuesDigest: string
}

export interface ObservedRelease {
  releaseName: string
  namespace: string
  extensionType: string
  version: string
  status: 'deployed' | 'failed' | 'pending'
  /** The keyed digest recorded at install, so a reconcile can tell "in sync" from "needs upgrade" without seeing secrets. */
  valuesDigest: string
}

export type DriverErrorKind = 'transient' | 'permanent'

/** A failure reported by a driver, in words a user can act on. */
export class DriverError extends Error {
  /** Which kind of failure the driver recognised (e.g. helm's `waitTimeout`), for logs that must not carry its output. */
  failureClass?: string

  constructor(
    readonly kind: DriverErrorKind,
    readonly code: OperationErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Optional extras for a driver call; drivers work without them. */
export interface DriverCallOptions {
  /** Aborts the call (cancellation, shutdown); an aborted call rejects with a transient DriverError. */
  signal?: AbortSignal
  /** The release's namespace when the caller knows it, which spares real drivers a lookup. */
  namespace?: string
  /** Where the call's phases are timed for the operation's timeline (driver-steps.ts). */
  steps?: DriverSteps
}

export interface ClusterDriver {
  readonly name: string
  observe(cluster: TargetCluster, releaseName: string, options?: DriverCallOptions): Promise<ObservedRelease | null>
  /** Installs or upgrades to exactly `release`; calling it again with the same input changes nothing. */
  apply(cluster: TargetCluster, release: ReleaseSpec, options?: DriverCallOptions): Promise<ObservedRelease>
  /** Removes the release; absent releases are not an error. */
  uninstall(cluster: TargetCluster, releaseName: string, options?: DriverCallOptions): Promise<void>
  /** Interrupts calls that only wait (simulated hangs and latency) so a worker can shut down; real work is left to finish. */
  close?(): Promise<void>
}
