// ARM resource ids: built from the request path in the caller's casing, keyed lower-case (docs/arm-rules.md rules 1-4).
import { ArmErrors } from './errors.js'
import { isGuid } from '../../core/domain/guid.js'

/** Resource names must avoid these characters (docs/arm-rules.md rule 4); 260 characters at most. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what ARM forbids
const FORBIDDEN_NAME_CHARACTERS = /[<>%&:\\?/\u0000-\u001f\u007f]/
const RESOURCE_GROUP_NAME = /^[-\w._()]+$/

export function idKey(resourceId: string): string {
  return resourceId.toLowerCase()
}

export function isSubscriptionId(value: string): boolean {
  return isGuid(value)
}

export function assertSubscriptionId(subscriptionId: string): void {
  if (!isSubscriptionId(subscriptionId)) {
    throw ArmErrors.invalidResourceName('subscription', subscriptionId, 'a subscription id must be a GUID.')
  }
}

export function assertResourceGroupName(name: string): void {
  if (name.length < 1 || name.length > 90 || !RESOURCE_GROUP_NAME.test(name) || name.endsWith('.')) {
    throw ArmErrors.invalidResourceName('resourceGroup', name, "resource group names are 1-90 characters of letters, digits, '_', '-', '.', '(' and ')', and do not end in '.'.")
  }
}

// Control (Cc) and format (Cf) characters: among them the bidi overrides and marks (U+202A-202E, U+200E/F,
// U+2066-2069) that make a name display as another one.
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}]/u
const INVISIBLE_CHARACTERS_GLOBAL = /[\p{Cc}\p{Cf}]/gu

/** A name as it can safely be quoted back in a message: invisible characters spelled as escapes, and not too long. */
function quotable(name: string): string {
  const visible = name.replace(INVISIBLE_CHARACTERS_GLOBAL, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`)
  return visible.length > 300 ? `${visible.slice(0, 300)}…` : visible
}

export function assertResourceName(kind: string, name: string, maxLength = 260): void {
  if (name.length < 1 || name.length > maxLength || FORBIDDEN_NAME_CHARACTERS.test(name) || INVISIBLE_CHARACTERS.test(name) || name.includes('*') || /^\.+$/.test(name) || name.trim() !== name) {
    throw ArmErrors.invalidResourceName(
      kind,
      quotable(name),
      `names are 1-${maxLength} characters without '<', '>', '%', '&', ':', '\\', '?', '/', '*', control or format characters or surrounding spaces, and are not only dots.`,
    )
  }
}

// Azure's own rules for the two names this RP stores (Azure's resource name rules for Microsoft.Kubernetes and
// Microsoft.ContainerService clusters; an extension's name names its Kubernetes objects, so it is a DNS subdomain,
// compared case-insensitively like every ARM name). Both refuse '.', '..', '*', control, bidi and non-ASCII text.
const CLUSTER_NAME = /^[a-z0-9]([-_a-z0-9]{0,61}[a-z0-9])?$/i
const EXTENSION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i
const MAX_EXTENSION_NAME_LENGTH = 253

export function assertClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw ArmErrors.invalidResourceName('cluster', quotable(name), "cluster names are 1-63 letters, digits, '-' and '_', and start and end with a letter or digit.")
  }
}

export function assertExtensionName(name: string): void {
  if (name.length > MAX_EXTENSION_NAME_LENGTH || !EXTENSION_NAME.test(name)) {
    throw ArmErrors.invalidResourceName(
      'extension',
      quotable(name),
      `extension names are 1-${MAX_EXTENSION_NAME_LENGTH} letters, digits, '-' and '.', start and end with a letter or digit, and have a letter or digit on both sides of every '.' (a DNS subdomain, as the extension's Kubernetes objects are named after it).`,
    )
  }
}
