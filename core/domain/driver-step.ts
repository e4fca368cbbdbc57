// One phase a cluster driver went through in an operation's attempt, as the operation's timeline shows it
// (GET /admin/operations/{id}). Names, outcomes, error codes and times only: never a message from helm or any value.

/**
 * readRelease: what is installed now (helm status, or the simulated release row); locateRelease: which namespace holds
 * the release (helm list); resolveChart: the kubeconfig rules, the chart reference and the values file;
 * install / upgrade: the release is installed or upgraded and, for helm (`--wait`), waited on until ready;
 * uninstall: the release is removed (helm waits until its resources are gone).
 */
export type DriverStepName = 'readRelease' | 'locateRelease' | 'resolveChart' | 'install' | 'upgrade' | 'uninstall'

export interface DriverStep {
  driver: string
  step: DriverStepName
  /** Date.now() when the step started, on the worker's clock (only differences to it are stored). */
  startedAt: number
  /** Set when the step ends; a step still running when its attempt ended (abandoned at the deadline) has none. */
  durationMs?: number
  /** InProgress until the step ends: a step the attempt abandoned keeps it. */
  status: 'InProgress' | 'Succeeded' | 'Failed'
  /** The driver's error code when the step failed with one. */
  errorCode?: string
}
