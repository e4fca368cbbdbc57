// What a PUT or PATCH of an extension would store and which catalog rules it breaks, decided without writing. The PUT
// and PATCH routes accept through these planners and the what-if route previews through them, so a preview is the
// same judgement as the request it previews.
import { catalogDefaults, checkInstallable, defaultCatalog, type RuleViolation } from '../../core/catalog/index.js'
import { clusterFacts } from '../../core/domain/cluster-facts.js'
import { releaseNamespaceFor } from '../../core/domain/extension-release.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { SecretUnavailableError, type SecretBox } from '../../core/secrets.js'
import type { Cluster } from '../../core/store/clusters.js'
import { extensionDocument, type Extension, type InstalledExtension } from '../../core/store/extensions.js'
import { ArmErrors } from '../arm/errors.js'
import type { ExtensionPatchBody, ExtensionPutBody } from '../versions/extension-convert.js'
import type { ExtensionVersion } from '../versions/extension-version.js'

type Settings = Record<string, string>

export interface ExtensionPlan {
  /** The extension's name as it is (or will be) stored. */
  name: string
  spec: ExtensionSpec
  /** For the write: undefined keeps the stored secrets, null removes them. */
  protectedSettingsSealed: string | null | undefined
  /** The protected map the request replaces the stored one with (null: removes them), or undefined when it keeps them. */
  protectedSettingsSent: Settings | null | undefined
  /** PATCH only: the request changes nothing (no spec change, the same secrets). */
  unchanged: boolean
  /** Every catalog rule the request breaks on this cluster, next to these extensions; empty when installable. */
  violations(cluster: Cluster, clusterType: string, installed: InstalledExtension[]): RuleViolation[]
}

/**
 * Which catalog-defaulted properties a PUT body left out, recorded before schema validation fills in the swagger's
 * defaults (autoUpgradeMinorVersion true, releaseTrain Stable), after which omitted and explicit look the same.
 */
const omittedByBody = new WeakMap<object, { autoUpgradeMinorVersion: boolean; releaseTrain: boolean }>()

export function recordOmitted(body: unknown): void {
  const properties = (body as { properties?: unknown } | null)?.properties
  if (!body || typeof body !== 'object' || !properties || typeof properties !== 'object') return
  omittedByBody.set(body, { autoUpgradeMinorVersion: !('autoUpgradeMinorVersion' in properties), releaseTrain: !('releaseTrain' in properties) })
}

function sentOf(body: object, properties: { autoUpgradeMinorVersion?: boolean; releaseTrain?: string }): { autoUpgradeMinorVersion?: boolean; releaseTrain?: string } {
  const omitted = omittedByBody.get(body)
  return {
    ...(omitted?.autoUpgradeMinorVersion ? {} : { autoUpgradeMinorVersion: properties.autoUpgradeMinorVersion }),
    ...(omitted?.releaseTrain ? {} : { releaseTrain: properties.releaseTrain }),
  }
}

/** Users may only read an extension another resource manages (docs/arm-rules.md rule 60). */
export function assertNotManaged(current: Extension | null): void {
  const managedBy = current ? extensionDocument(current).spec.managedBy : null
  if (current && managedBy) throw ArmErrors.managedExtension(current.name, managedBy)
}

/** Body-only checks a schema cannot express (docs/arm-rules.md rule 25). */
function assertPutBodyConsistent(body: ExtensionPutBody, extensionName: string, current: Extension | null): void {
  const named = (body as { name?: string }).name
  if (named !== undefined && named.toLowerCase() !== extensionName.toLowerCase()) {
    throw ArmErrors.invalidRequestContent(`The name '${named}' in the body does not match the extension name '${extensionName}' in the URL.`, 'name')
  }
  const requestedState = body.properties.provisioningState
  if (requestedState !== undefined && requestedState !== (current?.provisioningState ?? requestedState)) {
    throw ArmErrors.invalidRequestContent(`properties.provisioningState is read-only; it cannot be set to '${requestedState}'.`, 'properties.provisioningState')
  }
  const scope = body.properties.scope
  if (scope?.cluster && scope?.namespace) {
    throw ArmErrors.invalidRequestContent('properties.scope may name cluster or namespace, not both.', 'properties.scope')
  }
  if (!current && !body.properties.extensionType) {
    throw ArmErrors.invalidRequestContent("The property 'properties.extensionType' is required.", 'properties.extensionType')
  }
  if (current && body.properties.extensionType && body.properties.extensionType.toLowerCase() !== current.extensionType.toLowerCase()) {
    throw ArmErrors.invalidRequestContent(
      `properties.extensionType cannot be changed from '${current.extensionType}' to '${body.properties.extensionType}'; delete the extension and create a new one.`,
      'properties.extensionType',
    )
  }
}

/**
 * A cluster-scoped extension sent without a scope gets the one it will really be installed with, recorded at accept
 * time: responses then show it (as Azure's do), and a later catalog edit never moves an installed release.
 */
function withEffectiveScope(spec: ExtensionSpec, extensionName: string): ExtensionSpec {
  if (spec.scope) return spec
  const type = defaultCatalog().findType(spec.extensionType)
  if (!type || type.scope !== 'cluster') return spec // unknown or namespace-scoped: the catalog rules report it
  return { ...spec, scope: { kind: 'cluster', releaseNamespace: releaseNamespaceFor(spec, extensionName, type.defaultReleaseNamespace) } }
}

/**
 * What the type's catalog entry fills in for what the request left out: the autoUpgradeMinorVersion Azure's CLI forces
 * (an explicit other value stays, and the rules refuse it), and on a PUT the type's default release train.
 */
function withCatalogDefaults(spec: ExtensionSpec, sent: { autoUpgradeMinorVersion?: boolean; releaseTrain?: string }, fillTrain: boolean): ExtensionSpec {
  const type = defaultCatalog().findType(spec.extensionType)
  if (!type) return spec
  const defaults = catalogDefaults(type)
  return {
    ...spec,
    ...(sent.autoUpgradeMinorVersion === undefined && defaults.autoUpgradeMinorVersion !== undefined ? { autoUpgradeMinorVersion: defaults.autoUpgradeMinorVersion } : {}),
    ...(fillTrain && sent.releaseTrain === undefined && defaults.releaseTrain !== undefined ? { releaseTrain: defaults.releaseTrain } : {}),
  }
}

export class ExtensionPlanner {
  constructor(private readonly secrets: SecretBox) {}

  /** Judges a PUT against the extension as it is now (null: a create). Throws an ArmError for a body inconsistent in itself. */
  planPut(body: ExtensionPutBody, extensionName: string, current: Extension | null, tenantId: string, version: ExtensionVersion): ExtensionPlan {
    assertNotManaged(current)
    assertPutBodyConsistent(body, extensionName, current)
    const name = current?.name ?? extensionName
    const fromBody = version.specFromPut(body, current ? extensionDocument(current).spec : null, tenantId)
    const spec = withEffectiveScope(withCatalogDefaults(fromBody, sentOf(body, body.properties), true), name)
    const sent = body.properties.configurationProtectedSettings
    // Absent keeps the stored secrets: GET never returns them, so a GET-modify-PUT must not silently drop them.
    const protectedSettingsSealed = sent ? this.secrets.sealJson(sent) : sent === null ? null : undefined
    const inForce = this.protectedSettingsInForce(spec.extensionType, sent, current?.protectedSettingsSealed ?? null)
    return {
      name,
      spec,
      protectedSettingsSealed,
      protectedSettingsSent: sent === undefined ? undefined : (sent ?? null),
      unchanged: false,
      violations: (cluster, clusterType, installed) => judge(spec, inForce, cluster, name, clusterType, installed, current?.currentVersion ?? null),
    }
  }

  /** Judges a PATCH against the extension as it is now. Throws an ArmError for a property a PATCH may not change. */
  planPatch(body: ExtensionPatchBody, current: Extension, version: ExtensionVersion, tenantId: string): ExtensionPlan {
    assertNotManaged(current)
    version.checkPatch(body)
    const currentSpec = extensionDocument(current).spec
    const spec = withCatalogDefaults(version.specFromPatch(currentSpec, body, tenantId), body.properties ?? {}, false)
    const protectedPatch = body.properties?.configurationProtectedSettings
    let protectedSettingsSealed: string | null | undefined
    let protectedChanged = false
    let protectedAfter: Settings | undefined
    if (protectedPatch !== undefined) {
      // Azure replaces the whole map: "if any are omitted, those settings will be considered obsolete and deleted".
      // A null value names a key to leave out, as in a merge patch; null for the map removes them all.
      protectedAfter = Object.fromEntries(Object.entries(protectedPatch ?? {}).filter((entry): entry is [string, string] => entry[1] !== null))
      protectedChanged = !this.sameProtectedSettings(current.protectedSettingsSealed, protectedAfter)
      protectedSettingsSealed = Object.keys(protectedAfter).length ? this.secrets.sealJson(protectedAfter) : null
    }
    const inForce = this.protectedSettingsInForce(spec.extensionType, protectedAfter, current.protectedSettingsSealed)
    return {
      name: current.name,
      spec,
      protectedSettingsSealed: protectedChanged ? protectedSettingsSealed : undefined,
      protectedSettingsSent: protectedChanged ? protectedAfter : undefined,
      unchanged: !protectedChanged && JSON.stringify(spec) === JSON.stringify(currentSpec),
      violations: (cluster, clusterType, installed) => judge(spec, inForce, cluster, current.name, clusterType, installed, current.currentVersion),
    }
  }

  /** Judges the stored desired state again, as a PUT of it would be: the operator's retry of a failed install or update. */
  planStored(current: Extension): ExtensionPlan {
    const { spec } = extensionDocument(current)
    const inForce = this.protectedSettingsInForce(spec.extensionType, undefined, current.protectedSettingsSealed)
    return {
      name: current.name,
      spec,
      protectedSettingsSealed: undefined,
      protectedSettingsSent: undefined,
      unchanged: false,
      violations: (cluster, clusterType, installed) => judge(spec, inForce, cluster, current.name, clusterType, installed, current.currentVersion),
    }
  }

  /** The stored protected settings, or null when this service can no longer open them. */
  storedProtectedSettings(sealed: string | null): Settings | null {
    if (sealed === null) return {}
    try {
      return this.secrets.openJson<Settings>(sealed)
    } catch (error) {
      if (error instanceof SecretUnavailableError) return null
      throw error
    }
  }

  /**
   * Whether the stored secrets already are `settings` (then the PATCH may be a no-op). Secrets this service can no
   * longer open count as different: a replacement never needs the old ones, so it is accepted either way.
   */
  private sameProtectedSettings(sealed: string | null, settings: Settings): boolean {
    const stored = this.storedProtectedSettings(sealed)
    return stored !== null && JSON.stringify(Object.entries(stored).sort()) === JSON.stringify(Object.entries(settings).sort())
  }

  /**
   * The protected settings the request leaves in force, for the settings rules: those it sends, else the stored ones.
   * Opened only for a type with settings rules (it costs a decryption); null when they cannot be opened, which skips
   * the rules that need them rather than refusing a change that does not touch them.
   */
  private protectedSettingsInForce(extensionType: string, sent: Settings | null | undefined, storedSealed: string | null): Settings | null {
    if (sent !== undefined) return sent ?? {}
    if (!defaultCatalog().findType(extensionType)?.settingsRules || storedSealed === null) return {}
    return this.storedProtectedSettings(storedSealed)
  }
}

/**
 * Every catalog rule, server-side, so raw requests get what the az CLI would have enforced; `installed` are the
 * extensions on the cluster, for the rules on which types may share it.
 */
function judge(
  spec: ExtensionSpec,
  protectedSettings: Readonly<Settings> | null,
  cluster: Cluster,
  extensionName: string,
  clusterResourceName: string,
  installed: InstalledExtension[],
  installedVersion: string | null,
): RuleViolation[] {
  return checkInstallable({
    extensionType: spec.extensionType,
    autoUpgradeMinorVersion: spec.autoUpgradeMinorVersion,
    releaseTrain: spec.releaseTrain,
    version: spec.version,
    scope: spec.scope,
    cluster: clusterFacts(cluster),
    installedTypes: installed,
    extensionName,
    clusterType: clusterResourceName,
    plan: spec.plan,
    installedVersion,
    configurationSettings: spec.configurationSettings,
    protectedSettings,
  })
}
