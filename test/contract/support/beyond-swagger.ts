// What arcext answers beyond an extensions swagger, on purpose, per api-version: the JSON paths `undeclaredProperties`
// tolerates. One list, so the examples replay and the per-version shape tests judge answers alike.
//
// 2025-03-01:
// - `properties.extensionState`: the swagger declares none, though its own GetExtensionWithExtensionState example
//   shows it (docs/arm-rules.md rule 59).
// - `identity.principalId` / `identity.tenantId`: the local ManagedServiceIdentity omits the system-assigned
//   identity's ids, which every earlier version declares and clients read.
// - `identity.userAssignedIdentities.*`: the swagger models userAssignedIdentities as one
//   `UserAssignedIdentitiesAdditionalProperties` object, where ARM, the CreateExtensionWithIdentity example and every
//   client send a map of them keyed by identity resource id; each value is checked against that object.
const EXTENSION_PATHS: Readonly<Record<string, readonly string[]>> = {
  '2025-03-01': ['$.properties.extensionState', '$.identity.principalId', '$.identity.tenantId', '$.identity.userAssignedIdentities.*'],
}

/** The tolerated paths of one Extension answer at this api-version, or of each item of a list answer (`$.value[]`). */
export function beyondSwagger(apiVersion: string, where: '$' | '$.value[]' = '$'): string[] {
  return (EXTENSION_PATHS[apiVersion] ?? []).map((p) => p.replace('$', where))
}
