// Decides, for one simulated install/upgrade/uninstall call, how long it takes and whether it fails, from the rules in
// Postgres. Latency: the most specific matching latency rule wins (cluster+type, then cluster, then type, then any),
// else the global SIMULATED_STEP_LATENCY_MS. Faults: the oldest matching rule whose probability roll hits and whose
// remaining calls can be claimed is injected. Only injections spend a rule's remaining calls.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from '../../../core/db/client.js'
import { ruleOperations, type DriverOperation, type FaultKind } from '../../../core/simulator/fault-rule.js'
import { claimFault, type SimulatedFault } from '../../../core/simulator/faults.js'
import type { CandidateFault } from '../../../core/simulator/releases.js'
import type { DriverError, TargetCluster } from '../driver.js'
import { callInterrupted, clusterUnreachable, releaseFailed } from '../driver-errors.js'

export interface FaultCall {
  cluster: TargetCluster
  operation: DriverOperation
  releaseName: string
  namespace: string | null
  /** Null when uninstalling a release the simulator has no record of. */
  extensionType: string | null
}

export interface FaultInjectorOptions {
  defaultLatencyMs: number
  /** Uniform in [0, 1); replaceable so probability handling can be tested without luck. */
  random?: () => number
}

const DEFAULT_REASONS: Record<DriverOperation, string> = {
  install: 'timed out waiting for the condition',
  upgrade: 'timed out waiting for the condition; the release was rolled back to its previous revision',
  uninstall: 'uninstallation completed with 1 error(s): timed out waiting for the condition',
}

function specificity(rule: Pick<SimulatedFault, 'clusterIdKey' | 'extensionType'>): number {
  return (rule.clusterIdKey ? 2 : 0) + (rule.extensionType ? 1 : 0)
}

/** Latency rules in the order they are tried: most specific first, then oldest first (the input order). */
export function latencyPrecedence<T extends Pick<SimulatedFault, 'clusterIdKey' | 'extensionType'>>(rules: readonly T[]): T[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => specificity(b.rule) - specificity(a.rule) || a.index - b.index)
    .map(({ rule }) => rule)
}

export function appliesTo(rule: Pick<SimulatedFault, 'kind' | 'operations'>, operation: DriverOperation): boolean {
  return ruleOperations(rule.kind as FaultKind, rule.operations as DriverOperation[]).includes(operation)
}

function describeDuration(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`
}

export class FaultInjector {
  private readonly random: () => number

  constructor(
    private readonly db: Db,
    private readonly options: FaultInjectorOptions,
  ) {
    this.random = options.random ?? Math.random
  }

  /**
   * Waits the call's latency, then throws the injected fault if one fires; an abort ends either wait at once.
   * `candidates` are the rules that could apply to the call's cluster and extension type (releaseWithCandidateFaults).
   */
  async run(call: FaultCall, candidates: readonly CandidateFault[], signal: AbortSignal): Promise<void> {
    const rules = candidates.filter((rule) => appliesTo(rule, call.operation))
    const latencyMs = await this.latency(rules.filter((rule) => rule.kind === 'latency'))
    await this.wait(latencyMs, call, signal)
    for (const rule of rules) {
      if (rule.kind === 'latency' || !(await this.fires(rule))) continue
      throw await this.inject(rule, call, signal)
    }
  }

  private async fires(rule: CandidateFault): Promise<boolean> {
    // probability 1 must always fire and 0 never: random() is in [0, 1).
    if (!(this.random() < rule.probability)) return false
    return claimFault(this.db, rule.id)
  }

  private async latency(rules: CandidateFault[]): Promise<number> {
    for (const rule of latencyPrecedence(rules)) {
      if (await this.fires(rule)) return rule.durationMs ?? 0
    }
    return this.options.defaultLatencyMs
  }

  private async wait(ms: number, call: FaultCall, signal: AbortSignal): Promise<void> {
    if (ms <= 0) {
      if (signal.aborted) throw interrupted(call, signal)
      return
    }
    try {
      await sleep(ms, undefined, { signal })
    } catch (error) {
      if (signal.aborted) throw interrupted(call, signal)
      throw error
    }
  }

  private async inject(rule: CandidateFault, call: FaultCall, signal: AbortSignal): Promise<DriverError> {
    const kind = rule.transient ? 'transient' : 'permanent'
    const tag = `(injected fault ${rule.id})`
    const hint = `Remove the fault with DELETE /admin/simulator/faults/${rule.id} to stop injecting it`
    if (rule.kind === 'unreachable') {
      const reason = rule.message ?? `Get "https://${call.cluster.resourceId.split('/').pop()}:443/version": dial tcp: connect: connection refused`
      return clusterUnreachable(call.cluster.resourceId, `${reason} ${tag}`, kind)
    }
    let reason = rule.message ?? DEFAULT_REASONS[call.operation]
    if (rule.kind === 'hang') {
      const hangMs = rule.durationMs ?? 0
      await this.wait(hangMs, call, signal)
      reason = `${rule.message ?? 'timed out waiting for the condition'} after ${describeDuration(hangMs)}`
    }
    return releaseFailed(kind, { action: call.operation, releaseName: call.releaseName, namespace: call.namespace, reason: `${reason} ${tag}`, hint })
  }
}

function interrupted(call: FaultCall, signal: AbortSignal): DriverError {
  return callInterrupted(call.operation, call.releaseName, signal.reason)
}
