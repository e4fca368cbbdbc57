// The ARM errors this RP answers with, worded once (docs/arm-rules.md rule 17). Their codes and statuses are declared
// in the error catalogue (core/domain/error-catalogue.ts, docs/errors.md), which every code here is taken from.
import { ErrorCodes, httpStatusOf, type OAuthErrorCode, type RequestErrorCode } from '../../core/domain/error-catalogue.js'
import type { ErrorDetail } from '../../core/domain/model.js'

export class ArmError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly target?: string,
    readonly details?: ErrorDetail[],
    readonly headers: Record<string, string> = {},
    /** The catalogue's status, unless the answer must keep another (a rule answer's, a framework's 4xx). */
    readonly statusCode: number = httpStatusOf(code),
  ) {
    super(message)
  }

  toBody(): { error: ErrorDetail } {
    const error: ErrorDetail = { code: this.code, message: this.message }
    if (this.target !== undefined) error.target = this.target
    if (this.details?.length) error.details = this.details
    return { error }
  }
}

/** RFC 6750's challenge; with a reason, Azure's shape for a refused token. Quotes are not allowed inside. */
function bearerChallenge(reason?: string): string {
  return reason === undefined ? 'Bearer realm="arcext"' : `Bearer realm="arcext", error="invalid_token", error_description="${reason.replace(/["\\]/g, "'")}"`
}

export const ArmErrors = {
  missingApiVersion: () => new ArmError(ErrorCodes.MissingApiVersionParameter, 'The api-version query parameter (?api-version=) is required for all requests.', 'api-version'),
  unsupportedApiVersion: (version: string, resourceType: string, supported: readonly string[]) =>
    new ArmError(
      ErrorCodes.NoRegisteredProviderFound,
      `No registered resource provider found for location 'global' and API version '${version}' for type '${resourceType}'. The supported api-versions are '${supported.join(', ')}'.`,
      'api-version',
    ),
  invalidRequestContent: (message: string, target?: string, details?: ErrorDetail[]) => new ArmError(ErrorCodes.InvalidRequestContent, message, target, details),
  emptyRequestContent: () => new ArmError(ErrorCodes.InvalidRequestContent, 'The request content was empty; a JSON body is required.'),
  invalidResourceName: (kind: string, name: string, rule: string) => new ArmError(ErrorCodes.InvalidResourceName, `The ${kind} name '${name}' is invalid: ${rule}`, kind),
  invalidResourceType: (message: string) => new ArmError(ErrorCodes.InvalidResourceType, message),
  resourceNotFound: (resourceType: string, id: string) => new ArmError(ErrorCodes.ResourceNotFound, `The Resource '${resourceType}' with id '${id}' was not found.`, id),
  parentResourceNotFound: (parentId: string) =>
    new ArmError(ErrorCodes.ParentResourceNotFound, `Can not perform requested operation on nested resource. Parent resource '${parentId}' not found.`, parentId),
  operationNotFound: (operationId: string) => new ArmError(ErrorCodes.OperationNotFound, `The operation '${operationId}' was not found.`, operationId),
  routeNotFound: (method: string, path: string) => new ArmError(ErrorCodes.NotFound, `No HTTP resource was found that matches the request ${method} ${path}.`),
  invalidRequestUri: () => new ArmError(ErrorCodes.InvalidRequestUri, "The request URL is not valid: each '%' must start a percent-encoded UTF-8 sequence ('%' followed by two hexadecimal digits)."),
  requestUriTooLong: (maxSegmentLength: number) => new ArmError(ErrorCodes.RequestUriTooLong, `A segment of the request URL is longer than ${maxSegmentLength} characters.`),
  malformedHttp: () => new ArmError(ErrorCodes.BadRequest, 'The request is not well-formed HTTP/1.1 (its request line, headers or chunked framing).'),
  requestTimeout: () => new ArmError(ErrorCodes.RequestTimeout, 'The request was not received completely in time.'),
  headersTooLarge: () => new ArmError(ErrorCodes.RequestHeaderFieldsTooLarge, 'The request headers are larger than the allowed limit.'),
  methodNotAllowed: (method: string, path: string) => new ArmError(ErrorCodes.MethodNotAllowed, `The requested resource does not support http method '${method}' on ${path}.`),
  anotherOperationInProgress: (message: string, target: string) => new ArmError(ErrorCodes.AnotherOperationInProgress, message, target),
  conflict: (message: string, target?: string) => new ArmError(ErrorCodes.Conflict, message, target),
  // POST /admin/operations/{id}/retry (api/routes/operation-retry.ts): only the newest operation on a resource, and only a failed one.
  operationNotRetryable: (operationId: string, why: string) => new ArmError(ErrorCodes.OperationNotRetryable, `The operation '${operationId}' cannot be retried: ${why}.`, operationId),
  // POST …/rollback (api/routes/extension-rollback.ts) when the extension has no last known good other than where it is.
  nothingToRollBack: (resourceId: string, why: string) => new ArmError(ErrorCodes.NothingToRollBack, `There is nothing to roll back to: ${why}`, resourceId),
  /** A user write to an extension another resource manages (managedBy, docs/arm-rules.md rule 60). */
  managedExtension: (name: string, managedBy: string) =>
    new ArmError(
      ErrorCodes.OperationNotAllowed,
      `The extension '${name}' is managed by '${managedBy}'. Users are allowed to only READ it through the Extensions RP; change or delete it through the resource that manages it.`,
      'managedBy',
    ),
  preconditionFailed: (message: string) => new ArmError(ErrorCodes.PreconditionFailed, message),
  unsupportedMediaType: (contentType: string) => new ArmError(ErrorCodes.UnsupportedMediaType, `The content media type '${contentType}' is not supported. Only 'application/json' is supported.`),
  payloadTooLarge: () => new ArmError(ErrorCodes.RequestEntityTooLarge, 'The request body is larger than the allowed limit.'),
  // Throttling (api/arm/throttling.ts): Azure's code for an empty request bucket, subscription- or tenant-level alike.
  requestsThrottled: (budget: string, whose: string, limit: string, retryAfterSeconds: number) =>
    new ArmError(
      ErrorCodes.SubscriptionRequestsThrottled,
      `Number of ${budget} requests for ${whose} exceeded the bucket of ${limit}. Please try again after ${retryAfterSeconds} seconds, when a token is available.`,
      undefined,
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  // Authentication and authorization (api/auth), in Azure's codes and wording. 403 means only "not allowed", never a
  // validation or business error (docs/arm-rules.md rule 18).
  authenticationFailed: (reason: string) => new ArmError(ErrorCodes.AuthenticationFailed, `Authentication failed. ${reason}`, undefined, undefined, { 'www-authenticate': bearerChallenge() }),
  invalidAuthenticationToken: (reason: string) =>
    new ArmError(ErrorCodes.InvalidAuthenticationToken, `The access token is invalid: ${reason}`, undefined, undefined, {
      'www-authenticate': bearerChallenge(reason),
    }),
  authorizationFailed: (client: string, objectId: string, action: string, scope: string) =>
    new ArmError(
      ErrorCodes.AuthorizationFailed,
      `The client '${client}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ),
  operatorEndpointNotLoopback: () =>
    new ArmError(
      ErrorCodes.AuthorizationFailed,
      'Operator endpoints (/admin/*) answer only clients on this machine (a loopback address) while AUTH_MODE=dev; use AUTH_MODE=jwt with the Owner role to reach them from elsewhere.',
    ),
  // Request hygiene (api/arm/request-gate.ts, api/routes/admin.ts).
  invalidSkipToken: () => new ArmError(ErrorCodes.InvalidRequestContent, 'The $skipToken query parameter is not a token this service issued.', '$skipToken'),
  expectationFailed: (expectation: string) => new ArmError(ErrorCodes.ExpectationFailed, `The Expect header '${expectation}' is not supported; only '100-continue' is.`, 'Expect'),
  tooManyHeaders: (limit: number) => new ArmError(ErrorCodes.RequestHeaderFieldsTooLarge, `The request has more than ${limit} header fields; none is dropped, so the request is refused.`),
  requestTargetNotPath: () => new ArmError(ErrorCodes.InvalidRequestUri, "The request target must be a path starting with a single '/' (origin-form); absolute URLs, '*' and '//' are refused."),
  invalidHostHeader: (message: string) => new ArmError(ErrorCodes.InvalidHostHeader, message, 'Host'),
  hostNotAllowed: (host: string) => new ArmError(ErrorCodes.HostNotAllowed, `This service does not answer to the host '${host}'. The operator can add it to ALLOWED_HOSTS.`, 'Host'),
  crossOriginRequest: (origin: string) =>
    new ArmError(ErrorCodes.CrossOriginRequestRefused, `Requests from the origin '${origin}' are refused: operator endpoints only accept requests from the service's own origin.`, 'Origin'),
  internal: () => new ArmError(ErrorCodes.InternalServerError, 'The server encountered an internal error. Please retry the request.'),
  /** A stored secret the service cannot decrypt: a configuration fault of the service (a key missing from its keyring), not of the request. */
  encryptionKeyUnavailable: (what: string, why: string, target?: string, workaround?: string) =>
    new ArmError(
      ErrorCodes.EncryptionKeyUnavailable,
      `The ${what} cannot be decrypted: ${why}. The service operator must restore the missing encryption key; nothing was changed.${workaround ? ` ${workaround}` : ''}`,
      target,
    ),
  // The ARM front door (api/routes/front-door), in Azure's codes and wording.
  subscriptionNotFound: (subscriptionId: string) => new ArmError(ErrorCodes.SubscriptionNotFound, `The subscription '${subscriptionId}' could not be found.`, subscriptionId),
  resourceGroupNotFound: (name: string) => new ArmError(ErrorCodes.ResourceGroupNotFound, `Resource group '${name}' could not be found.`, name),
  resourceGroupNotEmpty: (name: string) =>
    new ArmError(ErrorCodes.ResourceGroupNotEmpty, `Resource group '${name}' still holds clusters; delete them first (arcext does not delete a group's resources with it).`, name),
  invalidResourceNamespace: (namespace: string) => new ArmError(ErrorCodes.InvalidResourceNamespace, `The resource namespace '${namespace}' is invalid.`, namespace),
  // The managed-identity endpoint (api/auth/authority), which answers clients on this machine only, as Azure's does.
  managedIdentityNotLoopback: () => new ArmError(ErrorCodes.AuthorizationFailed, 'The managed identity endpoint answers only clients on this machine (a loopback address).'),
  managedIdentityMetadataMissing: () => new ArmError(ErrorCodes.BadRequest, "The managed identity endpoint requires the header 'Metadata: true'.", 'Metadata'),
  serviceUnavailable: (message: string) => new ArmError(ErrorCodes.ServiceUnavailable, message, undefined, undefined, { 'retry-after': '5' }),
} as const

/** OAuth 2.0 token-endpoint errors (RFC 6749 5.2): the built-in authority answers MSAL in OAuth's shape, not ARM's. */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    readonly statusCode: number = httpStatusOf(code),
  ) {
    super(message)
  }

  toBody(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.message }
  }
}

export const OAuthErrors = {
  invalidRequest: (message: string) => new OAuthError(ErrorCodes.invalid_request, message),
  invalidClient: () => new OAuthError(ErrorCodes.invalid_client, 'The client id or client secret is not valid.'),
  invalidGrant: (message: string) => new OAuthError(ErrorCodes.invalid_grant, message),
  unsupportedGrantType: (grantType: string) => new OAuthError(ErrorCodes.unsupported_grant_type, `The grant type '${grantType.slice(0, 100)}' is not supported; use client_credentials or password.`),
  invalidScope: (audience: string) => new OAuthError(ErrorCodes.invalid_scope, `Tokens are issued only for this service's own audience, '${audience}' (scope '${audience}.default').`),
} as const
