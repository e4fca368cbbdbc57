// Every code this service reports to a client, declared once: synchronous error answers (api/arm/errors.ts, the catalog
// rules), asynchronous operation failures (workers), the codes of an extension's statuses[] and the OAuth errors of
// the built-in authority. Code sites take the code from here (ErrorCodes.X) and the constructors take only catalogued
// codes (ErrorCode), so a code cannot be invented at its use site; test/contract/error-catalogue.test.ts fails on a code
// string written anywhere else and on an entry nothing uses, and docs/errors.md is generated from this table
// (`npm run error-docs`). Codes are Azure's own spellings where Azure has one.

/**
 * Where a code reaches the client:
 * - `request`: a refused request, in ARM's error envelope with `status` (docs/arm-rules.md rule 17);
 * - `rule`: a catalog rule refusing a PUT or PATCH (core/catalog/rules.ts), in the envelope with `status`;
 * - `operation`: a failed asynchronous operation's `error`, the extension's `errorInfo` and `statuses[]`;
 * - `status`: an entry of an extension's `statuses[]` that is not a failure;
 * - `token`: the built-in authority's token endpoint, in OAuth 2.0's shape (RFC 6749 section 5.2).
 */
export type ErrorKind = 'request' | 'rule' | 'operation' | 'status' | 'token'

interface ErrorCodeEntry {
  readonly kind: ErrorKind
  /** The HTTP status of a synchronous answer with this code; null for codes only operations and statuses carry. */
  readonly status: 400 | 401 | 403 | 404 | 405 | 408 | 409 | 412 | 413 | 414 | 415 | 417 | 421 | 429 | 431 | 500 | 503 | null
  /** A `request` or `rule` code that operations report too (same meaning, no HTTP status there). */
  readonly alsoOperation?: true
  /** When the code is reported and what the client can do; the messages themselves are worded at the code's site. */
  readonly description: string
  /** The docs/arm-rules.md rule behind the code. */
  readonly armRule?: number
}

export const ERROR_CATALOGUE = {
  // ---- refused requests (api/arm/errors.ts) ----
  MissingApiVersionParameter: { kind: 'request', status: 400, description: 'The request has no `api-version` query parameter.', armRule: 8 },
  NoRegisteredProviderFound: { kind: 'request', status: 400, description: 'The `api-version` is not one this resource type serves; the message lists those it does.', armRule: 9 },
  InvalidRequestContent: {
    kind: 'request',
    status: 400,
    description: 'The body (or a query parameter such as `$skipToken`) is not valid: not JSON, empty, or against the schema; `target` is the JSON path, `details` list every problem.',
  },
  InvalidResourceName: { kind: 'request', status: 400, description: 'A name in the URL breaks its naming rule, which the message states.', armRule: 4 },
  InvalidResourceType: { kind: 'request', status: 400, description: 'The URL names a parent resource type this provider does not serve.' },
  ResourceNotFound: { kind: 'request', status: 404, description: 'The resource the URL names does not exist.' },
  ParentResourceNotFound: { kind: 'request', status: 404, description: 'The cluster an extension would live under is not registered.' },
  OperationNotFound: { kind: 'request', status: 404, description: 'An operation status or result URL names an operation that does not exist (or not on this resource).' },
  NotFound: { kind: 'request', status: 404, description: 'No route matches the method and path.' },
  InvalidRequestUri: { kind: 'request', status: 400, description: "The request target is not a path, or a '%' does not start a percent-encoded UTF-8 sequence." },
  RequestUriTooLong: { kind: 'request', status: 414, description: 'A path segment is longer than the router accepts.' },
  BadRequest: {
    kind: 'request',
    status: 400,
    description: 'The request is not well-formed HTTP, or a required header (such as `Metadata: true` for the managed-identity endpoint) is missing; a 4xx the HTTP framework chose keeps its status.',
  },
  RequestTimeout: { kind: 'request', status: 408, description: 'The request was not received completely in time.' },
  RequestHeaderFieldsTooLarge: { kind: 'request', status: 431, description: 'The headers are larger, or more numerous, than allowed.' },
  MethodNotAllowed: { kind: 'request', status: 405, description: 'The resource does not support the HTTP method.' },
  AnotherOperationInProgress: { kind: 'request', status: 409, description: 'Another operation on the resource has not finished; retry once it has.', armRule: 48 },
  Conflict: { kind: 'request', status: 409, description: 'The resource changed between read and write; read it again and retry.' },
  OperationNotAllowed: {
    kind: 'request',
    status: 409,
    description: 'A user PUT, PATCH or DELETE of an extension another resource manages (`managedBy`); users may only read it.',
    armRule: 60,
  },
  NothingToRollBack: {
    kind: 'request',
    status: 409,
    description: 'A rollback (`POST {extension id}/rollback`) of an extension with no last known good version, or one already running it.',
  },
  OperationNotRetryable: {
    kind: 'request',
    status: 409,
    description: 'An operator retry (`POST /admin/operations/{id}/retry`) names an operation that is not `Failed`, that a later operation on the same resource superseded, or whose resource is gone.',
  },
  PreconditionFailed: { kind: 'request', status: 412, description: "An `If-Match` or `If-None-Match` precondition does not hold for the resource's ETag.", armRule: 44 },
  UnsupportedMediaType: { kind: 'request', status: 415, description: 'The body is not `application/json`.' },
  RequestEntityTooLarge: { kind: 'request', status: 413, description: 'The body is larger than allowed.' },
  SubscriptionRequestsThrottled: { kind: 'request', status: 429, description: "The subscription's (or tenant's) request bucket is empty; retry after `Retry-After` seconds.", armRule: 55 },
  AuthenticationFailed: { kind: 'request', status: 401, description: 'The request carries no usable credentials.' },
  InvalidAuthenticationToken: { kind: 'request', status: 401, description: 'The bearer token is not valid (signature, issuer, audience or lifetime); the message says which.' },
  AuthorizationFailed: { kind: 'request', status: 403, description: 'The caller may not perform the action on the scope, or reached an operator endpoint from elsewhere than allowed.', armRule: 18 },
  ExpectationFailed: { kind: 'request', status: 417, description: "An `Expect` header other than '100-continue'." },
  InvalidHostHeader: { kind: 'request', status: 400, description: 'The `Host` header is missing, repeated or malformed.' },
  HostNotAllowed: { kind: 'request', status: 421, description: 'The `Host` header names a host this service does not answer to (`ALLOWED_HOSTS`).' },
  CrossOriginRequestRefused: { kind: 'request', status: 403, description: "An operator endpoint was called from another origin than the service's own.", armRule: 18 },
  InternalServerError: { kind: 'request', status: 500, description: 'An unexpected failure; it is logged and the answer reveals no internal detail.', armRule: 17 },
  EncryptionKeyUnavailable: {
    kind: 'request',
    status: 500,
    alsoOperation: true,
    description: "A stored secret is sealed with an encryption key missing from the service's keyring: the operator must restore the key (or the secret must be sent again).",
  },
  SubscriptionNotFound: { kind: 'request', status: 404, description: 'The subscription is not one the caller may use.' },
  ResourceGroupNotFound: { kind: 'request', status: 404, description: 'The resource group does not exist.' },
  ResourceGroupNotEmpty: { kind: 'request', status: 409, description: 'A resource group still holding clusters cannot be deleted.' },
  InvalidResourceNamespace: { kind: 'request', status: 404, description: 'The provider namespace is not one this service knows.' },
  ServiceUnavailable: { kind: 'request', status: 503, description: 'The service is overloaded or shutting down; retry after `Retry-After` seconds.', armRule: 57 },

  // ---- catalog rules (core/catalog/rules.ts), checked at PUT and PATCH; see docs/catalog.md ----
  UnknownExtensionType: { kind: 'rule', status: 400, description: 'The extension type is not in the catalog; the message lists those that are.' },
  ClusterTypeNotSupported: { kind: 'rule', status: 400, description: 'The type cannot be installed on this kind of parent cluster.' },
  DistributionNotSupported: { kind: 'rule', status: 400, description: "The type does not support the cluster's Kubernetes distribution." },
  KubernetesVersionTooLow: { kind: 'rule', status: 400, description: "The cluster's Kubernetes version is below the type's (or version's) minimum." },
  ArchitectureNotSupported: { kind: 'rule', status: 400, description: "The type does not run on the cluster's CPU architecture." },
  InvalidScope: { kind: 'rule', status: 400, description: 'The scope (cluster or namespace) is not one the type allows.' },
  ExtensionNameNotAllowed: { kind: 'rule', status: 400, description: 'The type must be installed under one fixed extension name.' },
  ConflictingExtension: { kind: 'rule', status: 409, description: 'An installed extension of a type that cannot share the cluster; delete it first.' },
  MultipleInstancesNotAllowed: { kind: 'rule', status: 409, description: 'The cluster-scoped type is installed already and allows one instance.' },
  VersionWithAutoUpgrade: { kind: 'rule', status: 400, description: 'A pinned `version` together with `autoUpgradeMinorVersion: true`.' },
  InvalidVersion: { kind: 'rule', status: 400, description: '`version` is not a semantic version.' },
  UnknownReleaseTrain: { kind: 'rule', status: 400, description: 'The type has no such release train; the message lists its trains.' },
  UnknownVersion: { kind: 'rule', status: 400, description: 'The release train has no such version.' },
  VersionNotSupported: { kind: 'rule', status: 400, description: "The version is outside the type's support window." },
  PlanRequired: { kind: 'rule', status: 400, description: 'A marketplace type needs its `plan`.' },
  PlanNotOffered: { kind: 'rule', status: 400, description: "The `plan` is not the type's marketplace plan." },
  UpgradePathNotSupported: { kind: 'rule', status: 400, description: 'The target version cannot be reached from the installed one directly (an intermediate version is required).' },
  PlanIncomplete: { kind: 'rule', status: 400, description: 'A `plan` must name `name`, `product` and `publisher` all or none.' },
  ReleaseNamespaceNotAllowed: { kind: 'rule', status: 400, description: 'The type allows only one release namespace.' },
  InvalidConfigurationSetting: { kind: 'rule', status: 400, description: "A configuration setting breaks the type's settings rules; the message names the key, never its value." },
  InvalidProtectedSetting: { kind: 'rule', status: 400, description: "A protected setting breaks the type's settings rules; the message names the key, never its value." },
  SettingInBothMaps: { kind: 'rule', status: 400, description: 'A key is in both `configurationSettings` and `configurationProtectedSettings`.' },
  AutoUpgradeNotAllowed: {
    kind: 'rule',
    status: 400,
    description: "The type forces `autoUpgradeMinorVersion` (as Azure's CLI does) and the request sends the other value; omit it or send the forced one.",
  },

  // ---- asynchronous operation failures (workers) ----
  HelmInstallFailed: { kind: 'operation', status: null, description: 'Installing the release failed; the message says why and what to do.' },
  HelmUpgradeFailed: { kind: 'operation', status: null, description: 'Upgrading the release failed; the message says why and what to do.' },
  HelmUninstallFailed: { kind: 'operation', status: null, description: 'Uninstalling the release failed; the message says why and what to do.' },
  HelmStatusFailed: { kind: 'operation', status: null, description: "Reading the release's state failed." },
  HelmNotAvailable: { kind: 'operation', status: null, description: 'The worker cannot run helm (`HELM_BIN`).' },
  HelmChartNotFound: { kind: 'operation', status: null, description: 'The chart or version is not in the chart repository (`HELM_CHART_REPOSITORY`).' },
  HelmChartRepositoryNotSet: { kind: 'operation', status: null, description: 'The worker has no `HELM_CHART_REPOSITORY` to install from.' },
  HelmOutputUnreadable: { kind: 'operation', status: null, description: 'helm answered with output the worker could not read.' },
  ClusterAccessDenied: { kind: 'operation', status: null, description: "The cluster refused the kubeconfig's credentials." },
  ClusterUnreachable: { kind: 'operation', status: null, description: "The cluster's API server could not be reached; retried while attempts remain." },
  KubeconfigNotAllowed: { kind: 'operation', status: null, description: "The cluster's stored kubeconfig breaks the kubeconfig rules, so helm was not run." },
  KubeconfigMissing: { kind: 'operation', status: null, description: 'The cluster uses the helm driver but has no kubeconfig.' },
  InvalidConfigurationSettings: { kind: 'operation', status: null, description: 'The chart rejected the settings (its values schema or templates); the message names keys, never values.' },
  OperationInterrupted: { kind: 'operation', status: null, description: 'A driver call was cut short by cancellation or shutdown; a later attempt carries it out.' },
  ForceDeleteCleanupFailed: {
    kind: 'operation',
    status: null,
    description: 'The background uninstall after a `forceDelete=true` DELETE failed; only operators see it (`GET /admin/operations`), and the release may remain on the cluster.',
    armRule: 33,
  },
  ExtensionTypeNotInCatalog: { kind: 'operation', status: null, description: 'The extension type left the catalog after the request was accepted.' },
  NoInstallableVersion: {
    kind: 'rule',
    status: 400,
    alsoOperation: true,
    description: 'The catalog offers no version the request can be installed at (a release train that lists none yet); an operation reports it when the catalog changed after acceptance.',
  },
  UnknownClusterDriver: { kind: 'operation', status: null, description: "The cluster's driver is not available in the worker." },
  UninstallTimedOut: { kind: 'operation', status: null, description: "A forced delete's uninstall did not finish in time; the extension is removed and the message says what may remain." },
  InvalidOperation: { kind: 'operation', status: null, description: 'An operation record lacks what its kind needs.' },
  ExtensionDeletionFailed: { kind: 'operation', status: null, description: 'A cluster was not deleted because some of its extensions could not be.' },
  UnknownOperationKind: { kind: 'operation', status: null, description: 'The worker cannot run operations of this kind.' },
  InternalOperationError: { kind: 'operation', status: null, description: "An unexpected failure in the worker; the message names only the error's type, the worker's log has the rest." },
  OperationCanceled: { kind: 'operation', status: null, description: 'A later request (a DELETE of the extension or its cluster) superseded the operation.' },
  OperationDeadlineExceeded: { kind: 'operation', status: null, description: 'The operation did not finish within `OPERATION_DEADLINE_SECONDS` of being accepted.' },
  OperationFailed: { kind: 'operation', status: null, description: 'A failed operation that recorded no error of its own.' },

  // ---- statuses[] entries that are not failures ----
  ReleaseDeployed: { kind: 'status', status: null, description: 'The release is deployed at the reported version (level Information).' },
  PreviewExtensionType: { kind: 'status', status: null, description: 'The extension type is in preview (level Warning).' },
  ExtensionTypeRetiring: { kind: 'status', status: null, description: 'The extension type retires on a known date (level Warning).' },
  ExtensionTypeRetired: { kind: 'status', status: null, description: 'The extension type is retired (level Warning).' },

  // ---- the built-in authority's token endpoint (api/auth/authority), RFC 6749 section 5.2 ----
  invalid_request: { kind: 'token', status: 400, description: 'The token request lacks or repeats a parameter.' },
  invalid_client: { kind: 'token', status: 401, description: 'The client id or secret is not valid.' },
  invalid_grant: { kind: 'token', status: 400, description: 'The user name and password (or other grant) are not valid.' },
  unsupported_grant_type: { kind: 'token', status: 400, description: 'A grant type other than `client_credentials` or `password`.' },
  invalid_scope: { kind: 'token', status: 400, description: "A scope or resource other than this service's own audience." },
} as const satisfies Record<string, ErrorCodeEntry>

type Catalogue = typeof ERROR_CATALOGUE
export type ErrorCode = keyof Catalogue

type CodesWhere<Condition> = { [K in ErrorCode]: Catalogue[K] extends Condition ? K : never }[ErrorCode]

/** Codes a synchronous ARM answer may carry (api/arm/errors.ts). */
export type RequestErrorCode = CodesWhere<{ kind: 'request' | 'rule' }>
/** Codes of the catalog rules; `S` narrows them to one status. */
export type RuleCode<S extends number = number> = CodesWhere<{ kind: 'rule'; status: S }>
/** Codes an operation can fail with (a DriverError's code). */
export type OperationErrorCode = CodesWhere<{ kind: 'operation' } | { alsoOperation: true }>
export type OAuthErrorCode = CodesWhere<{ kind: 'token' }>

/** Each code as its own value, so a use site names a code (`ErrorCodes.ResourceNotFound`) instead of writing it. */
export const ErrorCodes = Object.fromEntries(Object.keys(ERROR_CATALOGUE).map((code) => [code, code])) as { readonly [K in ErrorCode]: K }

/** The HTTP status of a code answered synchronously. */
export function httpStatusOf(code: RequestErrorCode | OAuthErrorCode): number {
  return ERROR_CATALOGUE[code].status
}
