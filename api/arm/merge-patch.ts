// JSON merge patch (RFC 7396, docs/arm-rules.md rule 29): the one implementation behind every PATCH that merges.
export type JsonObject = Record<string, unknown>

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `patch` applied to `target`: null removes a member, an object merges into the member, anything else replaces it. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch
  const result: JsonObject = isJsonObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

/** A merge patch of a string map: absent keeps it, null clears it, a null value removes that key. */
export function mergeStringMap(current: Record<string, string>, patch: Record<string, string | null> | null | undefined): Record<string, string> {
  if (patch === undefined) return current
  if (patch === null) return {}
  // A patch whose values are strings or null merged into a map of strings leaves a map of strings.
  return mergePatch(current, patch) as Record<string, string>
}
