// Turns a failed helm run into a DriverError a user can act on: transient when waiting can fix it (the cluster or a
// registry is unreachable, a timeout, another helm operation holding the release), permanent when only a change of
// input can (chart or version missing, invalid values, credentials refused). Unknown failures are permanent, so an
// unexplained error is reported at once rather than after a minute of retries.
import type { DriverError } from '../driver.js'
import { clusterUnreachable, releaseFailed, type ReleaseAction } from '../driver-errors.js'
import type { HelmOutcome } from './helm-cli.js'

export interface HelmCallContext {
  action: ReleaseAction
  clusterResourceId: string
  releaseName: string
  namespace: string | null
  chart?: string
  version?: string
  helmBin: string
  timeoutSeconds: number
  /** Protected setting values, blanked out of any helm output shown to users. */
  secrets: readonly string[]
}

const CLUSTER_UNREACHABLE = /kubernetes cluster unreachable/i
const ACCESS_DENIED = /\bunauthorized\b|\bforbidden\b|x509:|certificate signed by unknown authority|you must be logged in to the server|provide credentials/i
const RELEASE_LOCKED = /another operation \(install\/upgrade\/rollback\) is in progress/i
const TRANSIENT = [
  /timed out waiting for the condition/i,
  /context deadline exceeded/i,
  /i\/o timeout/i,
  /tls handshake timeout/i,
  /connection refused/i,
  /connection reset by peer/i,
  /no route to host|network is unreachable/i,
  /no such host|temporary failure in name resolution/i,
  /unexpected eof/i,
  /the server is currently unable to handle the request/i,
  /etcdserver: (request timed out|leader changed)/i,
  /too many requests/i,
  /\b(502 bad gateway|503 service unavailable|504 gateway timeout)\b/i,
]
const CHART_NOT_FOUND = [
  /chart "[^"]*"( version "[^"]*")? not found/i,
  /no chart (name|version) found/i,
  /failed to (fetch|download)[^\n]*(not found|404)/i,
  /manifest unknown/i,
  /invalid chart reference/i,
  /repo [^\n]* not found/i,
  /path "[^"]*" not found/i,
]
const INVALID_VALUES = [
  /values don't meet the specifications of the schema/i,
  /yaml parse error/i,
  /error converting yaml to json/i,
  /unable to build kubernetes objects from (new )?release manifest/i,
  /template: [^\n]*: executing/i,
  /execution error at/i,
]

const MAX_REASON = 2000

/** helm's error text, without "Error:" noise and warnings, with secrets blanked out and length bounded. */
export function helmReason(stderr: string, secrets: readonly string[]): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean)
  const errors = lines.filter((line) => !/^(warning|walk\.go|coalesce\.go)/i.test(line))
  let reason = (errors.length ? errors : lines).join(' ').replace(/^Error:\s*/i, '')
  // Longest first, so a secret containing another is blanked whole. Very short values would blank ordinary words.
  for (const secret of [...secrets].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length)) {
    reason = reason.split(secret).join('***')
  }
  if (reason.length > MAX_REASON) reason = `${reason.slice(0, MAX_REASON)}…`
  return reason || 'helm exited with an error and printed no message'
}

function where(ctx: HelmCallContext) {
  return { action: ctx.action, releaseName: ctx.releaseName, namespace: ctx.namespace }
}

export function classifyHelmFailure(outcome: Exclude<HelmOutcome, { kind: 'aborted' }>, ctx: HelmCallContext): DriverError {
  if (outcome.kind === 'spawnFailed') {
    const missing = outcome.errorCode === 'ENOENT'
    return releaseFailed('permanent', {
      ...where(ctx),
      code: 'HelmNotAvailable',
      reason: missing ? `the helm executable '${ctx.helmBin}' was not found` : `the helm executable '${ctx.helmBin}' could not be started (${outcome.errorCode})`,
      hint: 'Install helm 3 on the worker host, or set HELM_BIN to its path',
    })
  }
  if (outcome.kind === 'timedOut') {
    return releaseFailed('transient', {
      ...where(ctx),
      reason: `helm did not finish within ${ctx.timeoutSeconds}s plus a grace period and was stopped`,
      hint: 'Raise HELM_TIMEOUT_SECONDS if the chart needs longer to become ready',
    })
  }
  const reason = helmReason(outcome.stderr, ctx.secrets)
  const text = outcome.stderr
  if (ACCESS_DENIED.test(text)) {
    return releaseFailed('permanent', {
      ...where(ctx),
      code: 'ClusterAccessDenied',
      reason,
      hint: `The cluster refused the kubeconfig's credentials; set a current kubeconfig allowed to manage releases with PUT /admin/clusters/{cluster id}/driver`,
    })
  }
  // After the credentials check: helm wraps x509 and credential refusals in "Kubernetes cluster unreachable" too.
  if (CLUSTER_UNREACHABLE.test(text)) return clusterUnreachable(ctx.clusterResourceId, reason)
  if (RELEASE_LOCKED.test(text)) {
    return releaseFailed('transient', {
      ...where(ctx),
      reason,
      hint:
        `If no other helm process works on the release, an earlier one was interrupted: ` +
        `run 'helm rollback ${ctx.releaseName} -n ${ctx.namespace ?? '<namespace>'}' (or 'helm uninstall' if it was never installed)`,
    })
  }
  if (TRANSIENT.some((pattern) => pattern.test(text))) {
    return releaseFailed('transient', { ...where(ctx), reason })
  }
  if (CHART_NOT_FOUND.some((pattern) => pattern.test(text))) {
    return releaseFailed('permanent', {
      ...where(ctx),
      code: 'HelmChartNotFound',
      reason,
      hint: `Check that chart '${ctx.chart ?? '?'}' version '${ctx.version ?? '?'}' exists and that HELM_CHART_REPOSITORY points at the repository holding it`,
    })
  }
  if (INVALID_VALUES.some((pattern) => pattern.test(text))) {
    return releaseFailed('permanent', {
      ...where(ctx),
      code: 'InvalidConfigurationSettings',
      reason,
      hint: 'Correct configurationSettings / configurationProtectedSettings to what the chart accepts',
    })
  }
  return releaseFailed('permanent', { ...where(ctx), reason: `${reason} (helm exited with code ${outcome.code})` })
}
