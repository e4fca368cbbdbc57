// "Same shape as the upstream example": every property the example shows is present in our response with the same
// JSON kind, at every level. Values are not compared here: examples carry placeholder ids, times and copy-paste
// noise (spec/README.md §4), and the tests compare the values that are contract separately.

type Json = Record<string, unknown>

function kind(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

export interface ShapeOptions {
  /**
   * JSON paths (with `[]` for any array index) whose value is a map of caller data, such as configurationSettings:
   * its keys are values, not property names, so only its kind is compared.
   */
  maps?: readonly string[]
}

/**
 * Differences between the example's shape and ours, as readable lines; empty when ours has the example's shape.
 * A property the example shows as null is nullable: ours may be null, absent or set. Array items of ours are each
 * compared with the example's first item.
 */
export function shapeMismatches(expected: unknown, actual: unknown, options: ShapeOptions = {}, where = '$'): string[] {
  if (expected === null) return []
  if (actual === null) {
    // A nullable scalar (version, currentVersion) is legitimately null where the example shows a sample value.
    return kind(expected) === 'object' || kind(expected) === 'array' ? [`${where}: expected ${kind(expected)}, got null`] : []
  }
  if (kind(expected) !== kind(actual)) return [`${where}: expected ${kind(expected)}, got ${kind(actual)}`]
  if (Array.isArray(expected)) {
    const template = expected[0]
    if (template === undefined) return []
    if ((actual as unknown[]).length === 0) return [`${where}: expected at least one item like the example's, got []`]
    return (actual as unknown[]).flatMap((item, i) => shapeMismatches(template, item, options, `${where}[${i}]`))
  }
  if (kind(expected) !== 'object') return []
  if (options.maps?.includes(where.replace(/\[\d+\]/g, '[]'))) return []
  const problems: string[] = []
  for (const [key, value] of Object.entries(expected as Json)) {
    const path = `${where}.${key}`
    if (!(key in (actual as Json))) {
      if (value !== null) problems.push(`${path}: missing`)
      continue
    }
    problems.push(...shapeMismatches(value, (actual as Json)[key], options, path))
  }
  return problems
}
