// What every extensions api-version provides (one object per folder api/versions/v{version}/extensions.ts, the shape
// of ARO-RP's pkg/api/vYYYYMMDD), and the static checks derived from its request schemas. Routes and the PUT/PATCH
// planner call the version's own pieces; nothing outside a version folder branches on which version it is.
import type { ExtensionSpec } from '../../core/domain/model.js'
import type { Extension } from '../../core/store/extensions.js'
import type { ExtensionPatchBody, ExtensionPutBody } from './extension-convert.js'
import type { RequestSchema } from './extension-request-schemas.js'

/** What a version folder defines: its shape on the wire, both ways. */
export interface ExtensionVersionDefinition {
  readonly version: string
  /** Parent `{clusterRp}/{clusterResourceName}` pairs the version admits (lower-case; extension-parents.ts). */
  readonly parents: readonly string[]
  /** 2021-09-01 and 2022-03-01 answer every accepted PATCH with 202, even when nothing changes. */
  readonly noOpPatchStatus: 200 | 202
  /** The writable part of the version's swagger `Extension`: what a PUT body may carry. */
  readonly putSchema: RequestSchema
  /** The version's swagger `patchExtension`: what a PATCH may carry, which is its PATCH policy. */
  readonly patchSchema: RequestSchema
  /** Desired state from a PUT body; `previous` is the stored one (null: a create), `tenantId` the caller's tenant. */
  specFromPut(body: ExtensionPutBody, previous: ExtensionSpec | null, tenantId: string): ExtensionSpec
  /** Desired state after a PATCH of the stored one. */
  specFromPatch(current: ExtensionSpec, patch: ExtensionPatchBody, tenantId: string): ExtensionSpec
  /** The resource as this version answers it. */
  toWire(row: Extension): Record<string, unknown>
}

/** A served version: its definition plus the static checks its schemas imply (extension-static-checks.ts). */
export interface ExtensionVersion extends ExtensionVersionDefinition {
  /** The properties a PATCH may carry at this version, in the order error messages list them. */
  readonly patchableProperties: readonly string[]
  /** Refuses (ArmError) a PUT body with a field or value only a later version defines, or one users may not send. */
  checkPut(body: ExtensionPutBody): void
  /** Refuses (ArmError) a PATCH body naming a property this version's PATCH may not change. */
  checkPatch(body: ExtensionPatchBody): void
}
