// Turns a failed helm run into a DriverError a user can act on: transient when waiting can fix it (the cluster or a
// registry is unreachable, a timeout, another helm operation holding the release), permanent when only a change of
// input can (chart or version missing, invalid values, credentials refused). Unknown failures are permanent, so an
// unexplained error is reported at once rather than after a minute of retries.
// helm's text is only read to classify, never passed on: chart `fail`/`required` messages, schema errors and YAML
// errors quote values, protected ones included, in any form (escaped, quoted, base64, split over lines), so no
// blanking-out can be trusted. Each class has a fixed message, completed only with facts that cannot hold a value:
// the chart, version, release and namespace arcext chose, and names helm prints in fixed shapes (template file and
// line, `.Values` key paths, schema field paths), each restricted to name characters.
import { ErrorCodes } from '../../../core/domain/error-catalogue.js'
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
  /** Protected setting values: a name that happens to contain one is left out of the message. */
  secrets: readonly string[]
}

/** Every way a helm failure is reported; logged instead of helm's text. */
export type HelmFailureClass =
  | 'helmNotAvailable'
  | 'processTimeout'
  | 'credentialsRefused'
  | 'clusterUnreachable'
  | 'releaseLocked'
  | 'waitTimeout'
  | 'network'
  | 'chartNotFound'
  | 'valuesRejectedBySchema'
  | 'valuesRejectedByTemplates'
  | 'unknown'

const CLUSTER_UNREACHABLE = /kubernetes cluster unreachable/i
const ACCESS_DENIED = /\bunauthorized\b|\bforbidden\b|x509:|certificate signed by unknown authority|you must be logged in to the server|provide credentials/i
const RELEASE_LOCKED = /another operation \(install\/upgrade\/rollback\) is in progress/i
const WAIT_TIMEOUT = [/timed out waiting for the condition/i, /context deadline exceeded/i]
const NETWORK = [
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
const SCHEMA = /values don't meet the specifications of the schema/i
const TEMPLATES = [
  /yaml parse error/i,
  /error converting yaml to json/i,
  /unable to build kubernetes objects from (new )?release manifest/i,
  /template: [^\n]*: executing/i,
  /execution error at/i,
  /parse error at/i,
]

/** Where a chart's template failed: `template: chart/templates/x.yaml:12:4:` or `execution error at (chart/templates/x.yaml:12:4)`. */
const TEMPLATE_AT = /(?:template: |execution error at \(|parse error at \()([A-Za-z0-9_.-]{1,100}\/templates\/[A-Za-z0-9_./-]{1,200}):(\d{1,7})/
/** Values a template was evaluating: `at <.Values.git.token>`. */
const VALUES_REFERENCE = /<\.Values\.([A-Za-z0-9_.]{1,200})>/g
/** A schema error line: `- git.token: Invalid type...` or `- (root): replicas is required`. */
const SCHEMA_FIELD = /^-\s+([A-Za-z0-9_.[\]-]{1,200}|\(root\)):\s*(?:([A-Za-z0-9_.-]{1,200}) is required)?/gm
const MAX_NAMES = 10

/** Names are key paths, never values; one that a protected value spells out anyway (by coincidence or a chart's odd wording) is dropped. */
function withoutSecrets(names: Iterable<string>, secrets: readonly string[]): string[] {
  const unique = [...new Set(names)]
  const spelledBySecret = (name: string) => secrets.some((secret) => name === secret || (secret.length >= 4 && (name.includes(secret) || secret.includes(name))))
  return unique.filter((name) => !spelledBySecret(name)).slice(0, MAX_NAMES)
}

function templateLocation(stderr: string, secrets: readonly string[]): string | null {
  const match = TEMPLATE_AT.exec(stderr)
  if (!match) return null
  const [file] = withoutSecrets([match[1]!], secrets)
  return file ? `template '${file}' line ${match[2]}` : null
}

function referencedValues(stderr: string, secrets: readonly string[]): string[] {
  return withoutSecrets(
    [...stderr.matchAll(VALUES_REFERENCE)].map((match) => match[1]!),
    secrets,
  )
}

function schemaFields(stderr: string, secrets: readonly string[]): string[] {
  const fields = [...stderr.matchAll(SCHEMA_FIELD)].map((match) => (match[1] === '(root)' ? match[2] : match[1])).filter((name): name is string => !!name)
  return withoutSecrets(fields, secrets)
}

const quoted = (names: string[]) => names.map((name) => `'${name}'`).join(', ')

export function classifyHelmOutput(stderr: string): HelmFailureClass {
  if (ACCESS_DENIED.test(stderr)) return 'credentialsRefused'
  // After the credentials check: helm wraps x509 and credential refusals in "Kubernetes cluster unreachable" too.
  if (CLUSTER_UNREACHABLE.test(stderr)) return 'clusterUnreachable'
  if (RELEASE_LOCKED.test(stderr)) return 'releaseLocked'
  if (WAIT_TIMEOUT.some((pattern) => pattern.test(stderr))) return 'waitTimeout'
  if (NETWORK.some((pattern) => pattern.test(stderr))) return 'network'
  if (CHART_NOT_FOUND.some((pattern) => pattern.test(stderr))) return 'chartNotFound'
  if (SCHEMA.test(stderr)) return 'valuesRejectedBySchema'
  if (TEMPLATES.some((pattern) => pattern.test(stderr))) return 'valuesRejectedByTemplates'
  return 'unknown'
}

function where(ctx: HelmCallContext) {
  return { action: ctx.action, releaseName: ctx.releaseName, namespace: ctx.namespace }
}

const SETTINGS_HINT = 'Correct configurationSettings / configurationProtectedSettings to what the chart accepts'

/** The DriverError for a failed helm run, and its class for the worker's log. */
export function classifyHelmFailure(outcome: Exclude<HelmOutcome, { kind: 'aborted' }>, ctx: HelmCallContext): DriverError {
  const tagged = (failure: HelmFailureClass, error: DriverError) => {
    error.failureClass = failure
    return error
  }
  if (outcome.kind === 'spawnFailed') {
    const missing = outcome.errorCode === 'ENOENT'
    return tagged(
      'helmNotAvailable',
      releaseFailed('permanent', {
        ...where(ctx),
        code: ErrorCodes.HelmNotAvailable,
        reason: missing ? `the helm executable '${ctx.helmBin}' was not found` : `the helm executable '${ctx.helmBin}' could not be started (${outcome.errorCode})`,
        hint: 'Install helm 3 on the worker host, or set HELM_BIN to its path',
      }),
    )
  }
  if (outcome.kind === 'timedOut') {
    return tagged(
      'processTimeout',
      releaseFailed('transient', {
        ...where(ctx),
        reason: `helm did not finish within ${ctx.timeoutSeconds}s plus a grace period and was stopped`,
        hint: 'Raise HELM_TIMEOUT_SECONDS if the chart needs longer to become ready',
      }),
    )
  }
  const stderr = outcome.stderr
  const failure = classifyHelmOutput(stderr)
  switch (failure) {
    case 'credentialsRefused':
      return tagged(
        failure,
        releaseFailed('permanent', {
          ...where(ctx),
          code: ErrorCodes.ClusterAccessDenied,
          reason: "the cluster refused the kubeconfig's credentials, or they do not allow managing this release",
          hint: 'Set a current kubeconfig allowed to manage releases with PUT /admin/clusters/{cluster id}/driver',
        }),
      )
    case 'clusterUnreachable':
      return tagged(failure, clusterUnreachable(ctx.clusterResourceId, "helm could not connect to the API server named in the cluster's kubeconfig"))
    case 'releaseLocked':
      return tagged(
        failure,
        releaseFailed('transient', {
          ...where(ctx),
          reason: 'another helm operation (install/upgrade/rollback) on the release is in progress',
          hint:
            `If no other helm process works on the release, an earlier one was interrupted: ` +
            `run 'helm rollback ${ctx.releaseName} -n ${ctx.namespace ?? '<namespace>'}' (or 'helm uninstall' if it was never installed)`,
        }),
      )
    case 'waitTimeout':
      return tagged(
        failure,
        releaseFailed('transient', {
          ...where(ctx),
          reason: `the release's resources did not become ready within ${ctx.timeoutSeconds}s (HELM_TIMEOUT_SECONDS)`,
          hint: "Check the workloads in the release's namespace, or raise HELM_TIMEOUT_SECONDS if the chart needs longer",
        }),
      )
    case 'network':
      return tagged(
        failure,
        releaseFailed('transient', {
          ...where(ctx),
          reason: "a temporary network or API server error interrupted helm (reaching the cluster or the chart's repository)",
        }),
      )
    case 'chartNotFound':
      return tagged(
        failure,
        releaseFailed('permanent', {
          ...where(ctx),
          code: ErrorCodes.HelmChartNotFound,
          reason: `chart '${ctx.chart ?? '?'}' version '${ctx.version ?? '?'}' was not found`,
          hint: 'Check that the chart and version exist and that HELM_CHART_REPOSITORY points at the repository holding them',
        }),
      )
    case 'valuesRejectedBySchema': {
      const fields = schemaFields(stderr, ctx.secrets)
      return tagged(
        failure,
        releaseFailed('permanent', {
          ...where(ctx),
          code: ErrorCodes.InvalidConfigurationSettings,
          reason: `the chart's values schema rejected the settings${fields.length ? ` (fields: ${quoted(fields)})` : ''}`,
          hint: SETTINGS_HINT,
        }),
      )
    }
    case 'valuesRejectedByTemplates': {
      const location = templateLocation(stderr, ctx.secrets)
      const keys = referencedValues(stderr, ctx.secrets)
      const facts = [location, keys.length ? `values involved: ${quoted(keys)}` : null].filter(Boolean)
      return tagged(
        failure,
        releaseFailed('permanent', {
          ...where(ctx),
          code: ErrorCodes.InvalidConfigurationSettings,
          reason: `the chart's templates could not be rendered with the settings${facts.length ? ` (${facts.join('; ')})` : ''}`,
          hint: SETTINGS_HINT,
        }),
      )
    }
    default:
      return tagged(
        failure,
        releaseFailed('permanent', {
          ...where(ctx),
          reason: `helm exited with code ${outcome.code} for a reason this service does not recognise`,
          hint: "helm's output is not shown because it can quote configuration values; run the same helm command against the cluster to see it",
        }),
      )
  }
}
