// How an extension's desired state maps to a release on the cluster; shared so api previews and workers agree.
import type { ExtensionSpec } from './model.js'

/** The namespace the release goes to: the explicit scope first, then the type's default, then the extension name. */
export function releaseNamespaceFor(spec: ExtensionSpec, extensionName: string, typeDefault: string | null): string {
  if (spec.scope?.kind === 'namespace') return spec.scope.targetNamespace ?? extensionName
  if (spec.scope?.kind === 'cluster' && spec.scope.releaseNamespace) return spec.scope.releaseNamespace
  return typeDefault ?? extensionName
}
