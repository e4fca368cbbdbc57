// The helm driver: installs an extension as the helm release `<extension name>` of chart
// `<HELM_CHART_REPOSITORY>/<extension type>` with `helm upgrade --install --atomic --wait`, removes it with
// `helm uninstall`, and reads it with `helm status -o json`. The cluster's kubeconfig and the merged settings reach
// helm only as 0600 files in a private temporary directory that is deleted after each call (helm-cli.ts); the
// kubeconfig is checked against the kubeconfig rules again first (one stored before they existed is never run), and
// helm gets an environment of its own (helm-environment.ts).
import { ErrorCodes } from '../../../core/domain/error-catalogue.js'
import { checkKubeconfig, KubeconfigRejected, type KubeconfigPolicy } from '../../../core/kubeconfig-rules.js'
import type { ClusterDriver, DriverCallOptions, DriverError, ObservedRelease, ReleaseSpec, TargetCluster } from '../driver.js'
import { callInterrupted, releaseFailed, type ReleaseAction } from '../driver-errors.js'
import { driverStep } from '../driver-steps.js'
import { runHelm, withHelmFiles, type HelmFilePaths, type HelmOutcome } from './helm-cli.js'
import { helmEnvironment } from './helm-environment.js'
import { classifyHelmFailure, type HelmCallContext } from './helm-errors.js'
import { HelmOutputError, isReleaseNotFound, parseReleaseJson, parseReleaseList, releaseDescription } from './helm-release.js'
import { InvalidSettingsError, settingsToValues } from './helm-values.js'

export interface HelmDriverOptions {
  helmBin: string
  /** Charts are `<chartRepository>/<extension type>`; unset means the driver cannot install. */
  chartRepository: string | undefined
  /** --timeout of the waiting helm commands; the process itself is stopped a grace period later. */
  timeoutSeconds: number
  /** KUBECONFIG_EXEC_ALLOWLIST and the other kubeconfig rules, applied before every call. */
  kubeconfigPolicy: KubeconfigPolicy
  /** HELM_ENV_PASSTHROUGH: variables of the worker's environment helm gets besides the built-in allow-list. */
  envPassthrough?: readonly string[]
  /** Extra environment for helm, set as given (tests point a fake helm at its state with it). */
  env?: Record<string, string>
}

/** Time helm gets beyond its own --timeout (chart pulls, rollback after a failed --atomic) before it is stopped. */
const PROCESS_GRACE_MS = 120_000
/** Reads (status, list) do not wait for resources. */
const READ_TIMEOUT_MS = 120_000

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function chartReference(repository: string, extensionType: string): string {
  return `${repository.replace(/\/+$/, '')}/${extensionType.toLowerCase()}`
}

interface Call {
  cluster: TargetCluster
  action: ReleaseAction
  releaseName: string
  namespace: string | null
  secrets: readonly string[]
  chart?: string
  version?: string
  signal: AbortSignal | undefined
  /** The caller's options, whose `steps` time each helm phase for the operation's timeline. */
  options: DriverCallOptions | undefined
}

export class HelmDriver implements ClusterDriver {
  readonly name = 'helm'

  constructor(private readonly options: HelmDriverOptions) {}

  /** The canonical form of the cluster's kubeconfig that helm is given, once it passes the kubeconfig rules. */
  private kubeconfigOf(call: Pick<Call, 'cluster' | 'action' | 'releaseName' | 'namespace'>): string {
    if (call.cluster.kubeconfig) {
      try {
        return checkKubeconfig(call.cluster.kubeconfig, this.options.kubeconfigPolicy)
      } catch (error) {
        if (!(error instanceof KubeconfigRejected)) throw error
        throw releaseFailed('permanent', {
          action: call.action,
          releaseName: call.releaseName,
          namespace: call.namespace,
          code: ErrorCodes.KubeconfigNotAllowed,
          reason: `the kubeconfig stored for cluster '${call.cluster.resourceId}' breaks the kubeconfig rules, so helm was not run: ${error.message}`,
          hint: 'Set a kubeconfig with inline credentials with PUT /admin/clusters/{cluster id}/driver',
        })
      }
    }
    throw releaseFailed('permanent', {
      action: call.action,
      releaseName: call.releaseName,
      namespace: call.namespace,
      code: ErrorCodes.KubeconfigMissing,
      reason: `cluster '${call.cluster.resourceId}' uses the helm driver but has no kubeconfig`,
      hint: 'Set one with PUT /admin/clusters/{cluster id}/driver and body {"driver":"helm","kubeconfig":"<kubeconfig file content>"}',
    })
  }

  private context(call: Call): HelmCallContext {
    return {
      action: call.action,
      clusterResourceId: call.cluster.resourceId,
      releaseName: call.releaseName,
      namespace: call.namespace,
      chart: call.chart,
      version: call.version,
      helmBin: this.options.helmBin,
      timeoutSeconds: this.options.timeoutSeconds,
      secrets: call.secrets,
    }
  }

  /** Runs helm; a clean exit comes back as stdout/stderr, anything else as the DriverError describing it. */
  private async run(args: string[], paths: HelmFilePaths, call: Call, timeoutMs: number): Promise<Extract<HelmOutcome, { kind: 'exited' }>> {
    const env = helmEnvironment(paths.dir, { source: process.env, passthrough: this.options.envPassthrough ?? [], extra: this.options.env })
    const outcome = await runHelm(args, { helmBin: this.options.helmBin, timeoutMs, signal: call.signal, env })
    if (outcome.kind === 'aborted') throw callInterrupted(call.action, call.releaseName, outcome.reason)
    if (outcome.kind !== 'exited') throw classifyHelmFailure(outcome, this.context(call))
    return outcome
  }

  private fail(outcome: Extract<HelmOutcome, { kind: 'exited' }>, call: Call): DriverError {
    return classifyHelmFailure(outcome, this.context(call))
  }

  private parse<T>(read: () => T, call: Call): T {
    try {
      return read()
    } catch (error) {
      if (!(error instanceof HelmOutputError)) throw error
      return this.unexpectedOutput(error, call)
    }
  }

  private unexpectedOutput(error: HelmOutputError, call: Call): never {
    throw releaseFailed('permanent', {
      action: call.action,
      releaseName: call.releaseName,
      namespace: call.namespace,
      code: ErrorCodes.HelmOutputUnreadable,
      reason: error.message,
      hint: `Check that HELM_BIN ('${this.options.helmBin}') is helm 3.8 or later`,
    })
  }

  /** The namespace holding the release, found with `helm list` when the caller does not know it. */
  private async locate(paths: HelmFilePaths, call: Call): Promise<string | null> {
    if (call.namespace) return call.namespace
    return driverStep(call.options, this.name, 'locateRelease', async () => {
      const args = ['list', '--all-namespaces', '--all', '--filter', `^${escapeRegExp(call.releaseName)}$`, '--kubeconfig', paths.kubeconfig, '--output', 'json']
      const listed = await this.run(args, paths, call, READ_TIMEOUT_MS)
      if (listed.code !== 0) throw this.fail(listed, call)
      const releases = this.parse(() => parseReleaseList(listed.stdout), call).filter((release) => release.name === call.releaseName)
      const current = releases.find((release) => release.status !== 'uninstalled') ?? releases[0]
      return current?.namespace ?? null
    })
  }

  private async status(paths: HelmFilePaths, call: Call): Promise<ObservedRelease | null> {
    const namespace = await this.locate(paths, call)
    if (!namespace) return null
    return driverStep(call.options, this.name, 'readRelease', async () => {
      const shown = await this.run(['status', call.releaseName, '--namespace', namespace, '--kubeconfig', paths.kubeconfig, '--output', 'json'], paths, { ...call, namespace }, READ_TIMEOUT_MS)
      if (shown.code !== 0) {
        if (isReleaseNotFound(shown.stderr)) return null
        throw this.fail(shown, { ...call, namespace })
      }
      return this.parse(() => parseReleaseJson(shown.stdout), call)
    })
  }

  async observe(cluster: TargetCluster, releaseName: string, options?: DriverCallOptions): Promise<ObservedRelease | null> {
    const call: Call = { cluster, action: 'status', releaseName, namespace: options?.namespace ?? null, secrets: [], signal: options?.signal, options }
    return withHelmFiles({ kubeconfig: this.kubeconfigOf(call) }, (paths) => this.status(paths, call))
  }

  async apply(cluster: TargetCluster, release: ReleaseSpec, options?: DriverCallOptions): Promise<ObservedRelease> {
    const secrets = Object.values(release.protectedValues)
    const base: Call = { cluster, action: 'install', releaseName: release.releaseName, namespace: release.namespace, secrets, signal: options?.signal, options }
    const { kubeconfig, chart, values } = await driverStep(options, this.name, 'resolveChart', () => this.resolve(base, release))

    return withHelmFiles({ kubeconfig, values }, async (paths) => {
      const existing = await this.status(paths, { ...base, action: 'status' })
      const call: Call = { ...base, action: existing ? 'upgrade' : 'install', chart, version: release.version }
      return driverStep(options, this.name, existing ? 'upgrade' : 'install', () => this.upgradeInstall(paths, call, release))
    })
  }

  /** What an install needs before helm runs: a kubeconfig that passes the rules, the chart, the values file's content. */
  private resolve(base: Call, release: ReleaseSpec): { kubeconfig: string; chart: string; values: Record<string, unknown> } {
    const kubeconfig = this.kubeconfigOf(base)
    if (!this.options.chartRepository) {
      throw releaseFailed('permanent', {
        ...base,
        code: ErrorCodes.HelmChartRepositoryNotSet,
        reason: 'HELM_CHART_REPOSITORY is not set, so there is no chart to install',
        hint: `Set HELM_CHART_REPOSITORY on the worker to the repository holding one chart per extension type (this one: '${release.extensionType}')`,
      })
    }
    const chart = chartReference(this.options.chartRepository, release.extensionType)
    let values: Record<string, unknown>
    try {
      values = settingsToValues(release.values, release.protectedValues)
    } catch (error) {
      if (!(error instanceof InvalidSettingsError)) throw error
      throw releaseFailed('permanent', {
        ...base,
        code: ErrorCodes.InvalidConfigurationSettings,
        reason: error.message,
        hint: 'Correct the setting keys in configurationSettings / configurationProtectedSettings',
      })
    }
    return { kubeconfig, chart, values }
  }

  /** `helm upgrade --install --atomic --wait`: installs or upgrades, and waits until the release's resources are ready. */
  private async upgradeInstall(paths: HelmFilePaths, call: Call, release: ReleaseSpec): Promise<ObservedRelease> {
    const args = [
      'upgrade',
      '--install',
      '--atomic',
      '--wait',
      '--create-namespace',
      '--namespace',
      release.namespace,
      release.releaseName,
      call.chart!,
      '--version',
      release.version,
      '-f',
      paths.values!,
      '--kubeconfig',
      paths.kubeconfig,
      '--timeout',
      `${this.options.timeoutSeconds}s`,
      '--description',
      releaseDescription(release.extensionType, release.valuesDigest),
      '--output',
      'json',
    ]
    const done = await this.run(args, paths, call, this.options.timeoutSeconds * 1000 + PROCESS_GRACE_MS)
    if (done.code !== 0) throw this.fail(done, call)
    const observed = this.parse(() => parseReleaseJson(done.stdout), call)
    if (!observed || observed.status !== 'deployed') {
      throw releaseFailed('transient', { ...call, reason: `helm reported the release as '${observed?.status ?? 'uninstalled'}' after a successful ${call.action}` })
    }
    return observed
  }

  async uninstall(cluster: TargetCluster, releaseName: string, options?: DriverCallOptions): Promise<void> {
    const call: Call = { cluster, action: 'uninstall', releaseName, namespace: options?.namespace ?? null, secrets: [], signal: options?.signal, options }
    await withHelmFiles({ kubeconfig: this.kubeconfigOf(call) }, async (paths) => {
      const namespace = await this.locate(paths, call)
      if (!namespace) return
      const located = { ...call, namespace }
      await driverStep(options, this.name, 'uninstall', async () => {
        const args = ['uninstall', releaseName, '--namespace', namespace, '--kubeconfig', paths.kubeconfig, '--wait', '--timeout', `${this.options.timeoutSeconds}s`]
        const done = await this.run(args, paths, located, this.options.timeoutSeconds * 1000 + PROCESS_GRACE_MS)
        if (done.code !== 0 && !isReleaseNotFound(done.stderr)) throw this.fail(done, located)
      })
    })
  }
}
