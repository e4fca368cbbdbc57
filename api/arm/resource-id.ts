// ARM resource ids: built from the request path in the caller's casing, keyed lower-case (ARM-CONTRACT 1-4).
import { ArmErrors } from './errors.js'

/** Resource names must avoid these characters (ARM-CONTRACT 4); 260 characters at most. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what ARM forbids
const FORBIDDEN_NAME_CHARACTERS = /[<>%&:\\?/\u0000-\u001f\u007f]/
const RESOURCE_GROUP_NAME = /^[-\w._()]+$/
const SUBSCRIPTION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

export function idKey(resourceId: string): string {
  return resourceId.toLowerCase()
}

export function assertSubscriptionId(subscriptionId: string): void {
  if (!SUBSCRIPTION_ID.test(subscriptionId)) {
    throw ArmErrors.invalidResourceName('subscription', subscriptionId, 'a subscription id must be a GUID.')
  }
}

export function assertResourceGroupName(name: string): void {
  if (name.length < 1 || name.length > 90 || !RESOURCE_GROUP_NAME.test(name) || name.endsWith('.')) {
    throw ArmErrors.invalidResourceName(
      'resourceGroup',
      name,
      "resource group names are 1-90 characters of letters, digits, '_', '-', '.', '(' and ')', and do not end in '.'.",
    )
  }
}

export function assertResourceName(kind: string, name: string, maxLength = 260): void {
  if (name.length < 1 || name.length > maxLength || FORBIDDEN_NAME_CHARACTERS.test(name) || name.trim() !== name) {
    throw ArmErrors.invalidResourceName(
      kind,
      name,
      `names are 1-${maxLength} characters without '<', '>', '%', '&', ':', '\\', '?', '/', control characters or surrounding spaces.`,
    )
  }
}

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`
}
