// Reading the loosely formatted facts a cluster reports. Kubernetes versions come in many vendor
// spellings (v1.28.5, 1.29.2-gke.1060000, v1.27.4+k3s1), so unlike extension versions they are parsed
// leniently: only MAJOR.MINOR[.PATCH] matters for a minimum-version check.

export type KubernetesVersion = readonly [major: number, minor: number, patch: number]

const KUBERNETES_VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/i

export function parseKubernetesVersion(text: string | null): KubernetesVersion | null {
  const match = text ? KUBERNETES_VERSION.exec(text.trim()) : null
  if (!match) return null
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? '0')]
}

export function isKubernetesVersionBelow(version: KubernetesVersion, minimum: KubernetesVersion): boolean {
  for (let i = 0; i < 3; i++) {
    if (version[i] !== minimum[i]) return (version[i] as number) < (minimum[i] as number)
  }
  return false
}

// Node and Go spell the same architectures differently; the catalog uses Kubernetes' (GOARCH) names.
const ARCHITECTURE_SYNONYMS: Readonly<Record<string, string>> = { aarch64: 'arm64', x86_64: 'amd64', x64: 'amd64' }

export function normalizeArchitecture(text: string | null): string | null {
  const name = text?.trim().toLowerCase()
  if (!name) return null
  return ARCHITECTURE_SYNONYMS[name] ?? name
}
