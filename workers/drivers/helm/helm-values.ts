// configurationSettings + configurationProtectedSettings → one helm values document. Keys are dotted paths as in
// `helm --set` (`a.b.c`, with `\.` for a literal dot) and values are typed the way `--set` types them (true/false,
// null, integers), so a chart reads `enabled: "false"` as the boolean it meant. Protected settings win over plain
// ones with the same key. Error messages name keys, never values, because values may be secrets.

export class InvalidSettingsError extends Error {}

/** Deeper than any chart's values; also keeps a '.'-laden key from building a tree too deep to serialise. */
export const MAX_SETTING_DEPTH = 64

/** Splits `a.b\.c` into ['a', 'b.c']. */
export function settingPath(key: string): string[] {
  const segments: string[] = []
  let current = ''
  for (let i = 0; i < key.length; i++) {
    const char = key[i]!
    if (char === '\\' && key[i + 1] === '.') {
      current += '.'
      i++
    } else if (char === '.') {
      segments.push(current)
      current = ''
    } else {
      current += char
    }
  }
  segments.push(current)
  if (segments.length > MAX_SETTING_DEPTH) {
    const shown = key.length > 80 ? `${key.slice(0, 80)}…` : key
    throw new InvalidSettingsError(`The setting key '${shown}' has ${segments.length} path segments; at most ${MAX_SETTING_DEPTH} are allowed.`)
  }
  if (segments.some((segment) => segment === '')) {
    throw new InvalidSettingsError(`The setting key '${key}' has an empty path segment; keys are dotted paths such as 'image.tag'.`)
  }
  return segments
}

const INTEGER = /^(0|-?[1-9]\d*)$/

/** The value `helm --set key=value` would give a chart. */
export function typedValue(raw: string): unknown {
  const lower = raw.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  if (lower === 'null') return null
  if (INTEGER.test(raw)) {
    const number = Number(raw)
    if (Number.isSafeInteger(number)) return number
  }
  return raw
}

type Tree = Record<string, unknown>

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Later maps override earlier ones key by key. */
export function settingsToValues(...maps: Record<string, string>[]): Tree {
  const root: Tree = Object.create(null) as Tree
  const setBy = new Map<string, string>() // path joined by NUL → the key that set it, for conflict messages
  for (const map of maps) {
    for (const key of Object.keys(map).sort()) {
      const path = settingPath(key)
      let node = root
      for (let depth = 0; depth < path.length - 1; depth++) {
        const segment = path[depth]!
        const existing = node[segment]
        if (existing === undefined) {
          const child: Tree = Object.create(null) as Tree
          node[segment] = child
          node = child
        } else if (isTree(existing)) {
          node = existing
        } else {
          const owner = setBy.get(path.slice(0, depth + 1).join('\0')) ?? path.slice(0, depth + 1).join('.')
          throw new InvalidSettingsError(`The settings '${owner}' and '${key}' conflict: '${owner}' is a value, so it cannot also hold '${key}'.`)
        }
      }
      const leaf = path[path.length - 1]!
      const existing = node[leaf]
      if (isTree(existing)) {
        const inner = [...setBy.entries()].find(([joined]) => joined.startsWith(path.join('\0') + '\0'))?.[1] ?? `${key}.*`
        throw new InvalidSettingsError(`The settings '${key}' and '${inner}' conflict: '${key}' holds other settings, so it cannot also be a value.`)
      }
      node[leaf] = typedValue(map[key]!)
      setBy.set(path.join('\0'), key)
    }
  }
  return JSON.parse(JSON.stringify(root)) as Tree
}
