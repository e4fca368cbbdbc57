// SIMULATED_FAULTS: a JSON array of fault rules (the admin API's rule body plus an optional `id`) that a worker loads
// at start, for CI runs that cannot call the admin API first. A bad value stops the worker with every problem listed.
import { createHash } from 'node:crypto'
import { ConfigError } from '../../../core/config.js'
import { readFaultRule, type FaultRuleSpec, type ReadFaultRuleOptions } from '../../../core/simulator/fault-rule.js'

export interface EnvFault {
  id: string
  rule: FaultRuleSpec
}

/** Entries without an id get one derived from their position and content, stable across restarts. */
function derivedId(index: number, rule: FaultRuleSpec): string {
  return `env-${index + 1}-${createHash('sha256').update(JSON.stringify(rule)).digest('hex').slice(0, 8)}`
}

export function parseEnvFaults(json: string, options: Pick<ReadFaultRuleOptions, 'isKnownExtensionType'> = {}): EnvFault[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (error) {
    throw new ConfigError(`SIMULATED_FAULTS is not valid JSON: ${(error as Error).message}`)
  }
  if (!Array.isArray(parsed)) throw new ConfigError('SIMULATED_FAULTS must be a JSON array of fault rules, e.g. [{"kind":"failInstall","extensionType":"microsoft.flux"}]')
  const problems: string[] = []
  const faults: EnvFault[] = []
  const seen = new Set<string>()
  parsed.forEach((entry, index) => {
    const result = readFaultRule(entry, { ...options, path: `SIMULATED_FAULTS[${index}]`, allowId: true })
    if (!result.ok) {
      problems.push(...result.problems.map((p) => p.message))
      return
    }
    const id = result.id ?? derivedId(index, result.rule)
    if (seen.has(id)) problems.push(`SIMULATED_FAULTS[${index}].id: the id '${id}' is used by more than one rule.`)
    seen.add(id)
    faults.push({ id, rule: result.rule })
  })
  if (problems.length) throw new ConfigError(`SIMULATED_FAULTS has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`)
  return faults
}
