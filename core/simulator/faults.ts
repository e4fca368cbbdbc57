// Fault-injection rules of the simulated driver, in Postgres so that every api and worker process sees the same
// rules and the same "next N calls" counters. Injections are claimed with one conditional UPDATE, so two workers
// can never both spend the last remaining call of a rule.
import { randomUUID } from 'node:crypto'
import type { Db } from '../db/client.js'
import type { SimulatedFault } from '../db/generated/client.js'
import type { ClusterResourceId } from '../store/cluster-resource-id.js'
import { ruleOperations, type DriverOperation, type FaultKind, type FaultRuleSpec } from './fault-rule.js'

export type { SimulatedFault }

export type FaultSource = 'api' | 'env'

/** A rule as the admin API shows it. */
export interface FaultRuleView {
  id: string
  kind: FaultKind
  clusterId: string | null
  extensionType: string | null
  /** The operations the rule affects. */
  operations: DriverOperation[]
  /** Null for latency rules, which never fail a call. */
  transient: boolean | null
  probability: number
  /** Injections left; null = no limit. */
  remainingCalls: number | null
  injectedCalls: number
  durationMs: number | null
  message: string | null
  source: FaultSource
  createdAt: string
  updatedAt: string
  lastInjectedAt: string | null
}

export function faultToView(row: SimulatedFault): FaultRuleView {
  const kind = row.kind as FaultKind
  return {
    id: row.id,
    kind,
    clusterId: row.clusterResourceId,
    extensionType: row.extensionType,
    operations: ruleOperations(kind, row.operations as DriverOperation[]),
    transient: kind === 'latency' ? null : row.transient,
    probability: row.probability,
    remainingCalls: row.remainingCalls,
    injectedCalls: row.injectedCalls,
    durationMs: row.durationMs,
    message: row.message,
    source: row.source as FaultSource,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastInjectedAt: row.lastInjectedAt?.toISOString() ?? null,
  }
}

function ruleColumns(rule: FaultRuleSpec) {
  return {
    kind: rule.kind,
    clusterIdKey: rule.cluster?.idKey ?? null,
    clusterResourceId: rule.cluster?.resourceId ?? null,
    extensionType: rule.extensionType,
    operations: rule.operations,
    transient: rule.transient,
    probability: rule.probability,
    remainingCalls: rule.remainingCalls,
    durationMs: rule.durationMs,
    message: rule.message,
  }
}

export function newFaultId(): string {
  return randomUUID()
}

export function createFault(db: Db, id: string, rule: FaultRuleSpec, source: FaultSource = 'api'): Promise<SimulatedFault> {
  return db.simulatedFault.create({ data: { id, source, ...ruleColumns(rule) } })
}

/** Creates or replaces a rule; a replaced rule starts counting afresh. */
export async function putFault(db: Db, id: string, rule: FaultRuleSpec): Promise<{ fault: SimulatedFault; created: boolean }> {
  const existing = await db.simulatedFault.findUnique({ where: { id }, select: { id: true } })
  const fault = await db.simulatedFault.upsert({
    where: { id },
    create: { id, source: 'api', ...ruleColumns(rule) },
    update: { ...ruleColumns(rule), source: 'api', injectedCalls: 0, lastInjectedAt: null, updatedAt: new Date() },
  })
  return { fault, created: !existing }
}

export function findFault(db: Db, id: string): Promise<SimulatedFault | null> {
  return db.simulatedFault.findUnique({ where: { id } })
}

export function listFaults(db: Db, filter: { cluster?: ClusterResourceId } = {}): Promise<SimulatedFault[]> {
  return db.simulatedFault.findMany({
    where: filter.cluster ? { clusterIdKey: filter.cluster.idKey } : {},
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  })
}

export async function deleteFault(db: Db, id: string): Promise<boolean> {
  const { count } = await db.simulatedFault.deleteMany({ where: { id } })
  return count > 0
}

/**
 * Makes the env-sourced rules exactly `entries`: missing ones are created, ones no longer listed are removed, and
 * ones still listed keep their counters, so a second worker starting with the same SIMULATED_FAULTS changes nothing.
 */
export async function syncEnvFaults(db: Db, entries: { id: string; rule: FaultRuleSpec }[]): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.simulatedFault.deleteMany({ where: { source: 'env', id: { notIn: entries.map((entry) => entry.id) } } })
    if (entries.length) {
      await tx.simulatedFault.createMany({ data: entries.map(({ id, rule }) => ({ id, source: 'env', ...ruleColumns(rule) })), skipDuplicates: true })
    }
  })
}

/** Spends one injection of a rule; false when another call took its last one (or it was deleted) meanwhile. */
export async function claimFault(db: Db, id: string): Promise<boolean> {
  const updated = await db.$executeRaw`
    UPDATE simulated_faults
       SET injected_calls = injected_calls + 1,
           remaining_calls = CASE WHEN remaining_calls IS NULL THEN NULL ELSE remaining_calls - 1 END,
           last_injected_at = now()
     WHERE id = ${id} AND (remaining_calls IS NULL OR remaining_calls > 0)`
  return updated === 1
}
