// The static checks of an extensions api-version, derived from its own request schemas: a PUT may not carry a field
// or value only a later version defines (it would be stored unseen, docs/arm-rules.md rule 59), and a PATCH may carry
// only what the version's patchExtension declares (rule 30). Fields no version declares writable (read-only ones sent
// back from a GET) are left to the union schema the routes validate with, as before.
import { ArmErrors } from '../arm/errors.js'
import type { ExtensionPatchBody, ExtensionPutBody } from './extension-convert.js'
import { assertIdentityConsistent } from './extension-identity.js'
import type { RequestSchema } from './extension-request-schemas.js'
import type { ExtensionVersion, ExtensionVersionDefinition } from './extension-version.js'

interface LaterField {
  target: string
  kind: 'property' | 'value'
  addedIn: string
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The schema of property `key`; own keys only, so `constructor` or `__proto__` in a body is never taken for one. */
function propertySchema(schema: RequestSchema | undefined, key: string): RequestSchema | undefined {
  const properties = schema?.properties
  return properties && Object.hasOwn(properties, key) ? properties[key] : undefined
}

function schemaAt(schema: RequestSchema, path: readonly string[]): RequestSchema | undefined {
  let at: RequestSchema | undefined = schema
  for (const key of path) at = propertySchema(at, key)
  return at
}

/** The first field of `body` (a JSON path) its own schema lacks but a later version's declares, with that version. */
function laterField(body: Record<string, unknown>, own: RequestSchema, later: readonly ExtensionVersionDefinition[], path: readonly string[] = []): LaterField | null {
  for (const [key, value] of Object.entries(body)) {
    const at = [...path, key]
    const mine = propertySchema(own, key)
    if (!mine) {
      const addedIn = later.find((v) => schemaAt(v.putSchema, at))?.version
      if (addedIn) return { target: at.join('.'), kind: 'property', addedIn }
      continue
    }
    if (typeof value === 'string' && mine.enum && !mine.enum.includes(value)) {
      const addedIn = later.find((v) => schemaAt(v.putSchema, at)?.enum?.includes(value))?.version
      if (addedIn) return { target: at.join('.'), kind: 'value', addedIn }
      continue
    }
    if (mine.properties && isObject(value)) {
      const found = laterField(value, mine, later, at)
      if (found) return found
    }
  }
  return null
}

/** The first property of a PATCH body (a JSON path) the version's patchExtension does not declare; null when all are patchable. */
function immutablePatchTarget(body: Record<string, unknown>, patchSchema: RequestSchema): string | null {
  for (const key of Object.keys(body)) if (!propertySchema(patchSchema, key)) return key
  const properties = body.properties
  if (!isObject(properties)) return null
  const patchable = propertySchema(patchSchema, 'properties')
  for (const key of Object.keys(properties)) if (!propertySchema(patchable, key)) return `properties.${key}`
  return null
}

/** The version with the checks its schemas imply; `later` are the versions after it, oldest first. */
export function servedVersion(definition: ExtensionVersionDefinition, later: readonly ExtensionVersionDefinition[]): ExtensionVersion {
  const patchableProperties = Object.keys(definition.patchSchema.properties?.properties?.properties ?? {})
  return {
    ...definition,
    patchableProperties,
    checkPut(body: ExtensionPutBody): void {
      const found = laterField(body as unknown as Record<string, unknown>, definition.putSchema, later)
      if (found?.kind === 'value') {
        throw ArmErrors.invalidRequestContent(`The value of '${found.target}' is not allowed at api-version ${definition.version}; it was added in ${found.addedIn}.`, found.target)
      }
      if (found) {
        throw ArmErrors.invalidRequestContent(`The property '${found.target}' does not exist at api-version ${definition.version}; it was added in ${found.addedIn}.`, found.target)
      }
      if (body.managedBy !== undefined) {
        throw ArmErrors.invalidRequestContent('managedBy is set by the service that manages an extension; users cannot send it.', 'managedBy')
      }
      assertIdentityConsistent(body.identity)
    },
    checkPatch(body: ExtensionPatchBody): void {
      const immutable = immutablePatchTarget(body as Record<string, unknown>, definition.patchSchema)
      if (!immutable) return
      throw ArmErrors.invalidRequestContent(`The property '${immutable}' cannot be changed with PATCH. Only ${patchableProperties.map((p) => `properties.${p}`).join(', ')} can be patched.`, immutable)
    },
  }
}
