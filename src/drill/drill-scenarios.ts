import type { SimComponentName } from '../sim/components';
import type { FaultInput } from '../sim/fault';

/**
 * The drills `warden drill` runs (issue 14 §1): spec §12.1's chaos list plus the §11.2 cases, each
 * with what Warden must do about it and the objective it is held to.
 *
 * - `recover`: Warden repairs it; the exchange must be Green again within the objective.
 * - `heal`: no repair exists (replication lag); the drill lets the fault heal once Warden has
 *   alerted, and the exchange must be Green again within the objective.
 * - `contain`: spec §8.2 data-integrity: trading halted and a P0 page within the objective; Green
 *   only after an operator's root-cause analysis and resume (the drill resumes trading to clean up).
 * - `escalate`: Warden cannot repair it with this configuration (no PostgreSQL to reap connections):
 *   a P0 page within the objective, never a guess.
 * - `tolerate`: nothing is wrong enough to act on (latency under the probe timeout): no Red, no
 *   remediation, during the whole observation window.
 */
export type DrillExpectation = 'recover' | 'heal' | 'contain' | 'escalate' | 'tolerate';

export interface DrillObjective {
  /** The spec row the objective comes from. */
  readonly source: string;
  readonly objectiveMs: number;
  /** Measured from the fault (an RTO) or from the first alert (a `for:` is part of the rule, not of the repair). */
  readonly from: 'fault' | 'alert';
}

export interface DrillScenario {
  readonly name: string;
  readonly title: string;
  readonly expect: DrillExpectation;
  readonly objective: DrillObjective;
  /** Issue 14's tighter targets for the shipped config (informational; the objective decides pass/fail). */
  readonly target?: { readonly detectMs: number; readonly recoverMs: number };
  /**
   * Which component the fault goes to: `random()` in [0, 1) picks among `candidates` (the
   * configured components the fault hooks know); a fixed one ignores both.
   */
  component(random: () => number, candidates: readonly string[]): string;
  fault(component: string): FaultInput;
  /**
   * The alert (of the shipped rules) this case is meant to trip: a run where it never fired is a
   * miss even if the exchange recovered, e.g. a leak that took the service down first and was
   * restarted as a crash, not at 80 % (spec §11.2).
   */
  readonly expectAlert?: string;
  /** Clear the fault as soon as an alert fires (the runaway writer stopped; the lag healed). */
  readonly clearOnAlert?: boolean;
  /** How long `tolerate` watches. */
  readonly observeMs?: number;
  /** Give up (a miss) after this long from the fault. */
  readonly timeoutMs: number;
}

const SINGLE_CRASH: DrillObjective = { source: '§13 single service crash', objectiveMs: 30_000, from: 'fault' };
const AUTO_REMEDIATION: DrillObjective = { source: '§11.2 auto-remediation (§13 single service)', objectiveMs: 30_000, from: 'alert' };
const CONTAIN: DrillObjective = { source: '§8.2 halt trading (§13 data corruption 30 min: recovery is manual)', objectiveMs: 30_000, from: 'fault' };
const at = (name: SimComponentName) => () => name;

export const DRILL_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'crash', title: 'kill a random service', expect: 'recover', objective: SINGLE_CRASH,
    target: { detectMs: 1500, recoverMs: 3000 },
    component: (random, candidates) => candidates[Math.floor(random() * candidates.length)] as string,
    fault: (component) => ({ kind: 'crash', component }), timeoutMs: 60_000,
  },
  {
    name: 'matching-engine', title: 'kill the matching engine', expect: 'recover', objective: SINGLE_CRASH,
    target: { detectMs: 1500, recoverMs: 3000 },
    component: at('matching-engine'), fault: (component) => ({ kind: 'crash', component }), timeoutMs: 60_000,
  },
  {
    name: 'latency', title: 'latency 100–500 ms on every endpoint', expect: 'tolerate',
    objective: { source: '§12.1 network latency: no Red, nothing restarted', objectiveMs: 6000, from: 'fault' },
    component: at('order-gateway'), fault: (component) => ({ kind: 'latency', component, min_ms: 100, max_ms: 500 }),
    observeMs: 6000, timeoutMs: 20_000,
  },
  {
    name: 'disk-fill', title: 'fill a disk to 95%', expect: 'recover', objective: AUTO_REMEDIATION,
    component: at('reporting'), fault: (component) => ({ kind: 'disk_fill', component, target_ratio: 0.95, rate_bytes_per_s: 32 * 1024 * 1024 }),
    expectAlert: 'DiskFull', clearOnAlert: true, timeoutMs: 120_000,
  },
  {
    name: 'memory-leak', title: 'memory leak past 80%', expect: 'recover', objective: AUTO_REMEDIATION,
    // Levels off at 93 %: above the 80 % of §11.2 and below the 98 % where the simulated /healthz
    // fails, so MemoryLeak (for: 15s) fires and restart-leaking-service acts; a leak that grows on
    // reaches 98 % first and is restarted as a crash (ComponentDown), which is not this case.
    component: at('settlement'), fault: (component) => ({ kind: 'memory_leak', component, rate_per_s: 0.05, max_ratio: 0.93 }),
    expectAlert: 'MemoryLeak', timeoutMs: 120_000,
  },
  {
    name: 'db-connection-leak', title: 'DB connection leak (idle connections)', expect: 'escalate',
    objective: { source: '§11.2 close idle connections: without PostgreSQL configured, page P0', objectiveMs: 30_000, from: 'alert' },
    component: at('database'), fault: (component) => ({ kind: 'idle_connections', component, target_ratio: 0.92 }),
    expectAlert: 'DbConnectionLeak', timeoutMs: 120_000,
  },
  {
    name: 'lag', title: 'replication lag past 10 s', expect: 'heal',
    objective: { source: '§11.1 lag > 10 s Red, Green once it heals (§13 single service 30 s)', objectiveMs: 30_000, from: 'fault' },
    component: at('database'), fault: (component) => ({ kind: 'lag', component, value: 12, metric: 'replication' }),
    expectAlert: 'ReplicationLagCritical', clearOnAlert: true, timeoutMs: 60_000,
  },
  {
    // issue 14 §3: the simulator's primary host is lost; failover_database promotes the replica and
    // points the exchange at it; the lost host rejoins as a replica 1 s after the failover (as
    // Patroni does), so the exchange is Green again. Issue 14's target: 10% of the 60 s RTO.
    name: 'database-primary-down', title: 'database primary down (failover to the replica)', expect: 'recover',
    objective: { source: '§13 database failover', objectiveMs: 60_000, from: 'fault' },
    target: { detectMs: 1500, recoverMs: 6000 },
    component: at('database'), fault: (component) => ({ kind: 'primary_down', component, rejoin_after_s: 1 }), timeoutMs: 90_000,
  },
  {
    name: 'invariant-violation', title: 'an invariant violation', expect: 'contain', objective: CONTAIN,
    component: at('settlement'), fault: (component) => ({ kind: 'invariant_violation', component }), expectAlert: 'DataIntegrityViolation', timeoutMs: 60_000,
  },
  {
    name: 'corrupted-data', title: 'corrupted data (checksum mismatch)', expect: 'contain', objective: CONTAIN,
    component: at('database'), fault: (component) => ({ kind: 'checksum_mismatch', component }), expectAlert: 'DataChecksumMismatch', timeoutMs: 60_000,
  },
];

export function scenarioNamed(name: string): DrillScenario | undefined {
  return DRILL_SCENARIOS.find((s) => s.name === name);
}

