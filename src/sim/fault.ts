import { z } from 'zod';
import { RequestError } from '../errors';
import { hasReplication, isSimComponent, SIM_COMPONENTS, type SimComponentName } from './components';

/**
 * The faults the simulator injects on demand: spec §12's chaos list, shaped so each one trips the
 * rule it is meant to trip (issue 3 §4, issue 4 §1).
 */
export const FAULT_KINDS = [
  'crash',
  'lag',
  'memory_leak',
  'disk_fill',
  'idle_connections',
  'invariant_violation',
  'latency',
  'read_only',
  'checksum_mismatch',
  'primary_down',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const component = z.string().refine(isSimComponent, { message: `must be one of ${SIM_COMPONENTS.join(', ')}` });
const ratio = (def: number) => z.number().gt(0).max(1).default(def);

const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('crash'), component }),
  z.strictObject({
    kind: z.literal('lag'),
    component,
    /** Seconds. spec §11.1: < 1 s Green, 1–10 s Yellow, > 10 s Red. */
    value: z.number().min(0).max(86_400),
    /** Default: replication on the database (it has the replica), processing elsewhere. */
    metric: z.enum(['replication', 'processing']).optional(),
  }),
  z.strictObject({
    kind: z.literal('memory_leak'),
    component,
    /** How fast memory_used_ratio rises; the default passes 0.8 (spec §11.2) in about 20 s. */
    rate_per_s: z.number().gt(0).max(1).default(0.025),
    /**
     * The leak levels off so memory_used_ratio stays at or below this (a leak that plateaus above
     * 80 % but below the 98 % where /healthz fails: spec §11.2's "restart after 80 %" case, not a crash).
     * Unset: it rises until the process fails its health checks.
     */
    max_ratio: z.number().gt(0.4).max(0.99).optional(),
  }),
  z.strictObject({
    kind: z.literal('disk_fill'),
    component,
    target_ratio: ratio(0.95),
    /** Real log bytes written per second until target_ratio is reached. */
    rate_bytes_per_s: z.number().int().min(1024).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
  }),
  z.strictObject({
    kind: z.literal('idle_connections'),
    component,
    target_ratio: ratio(0.92),
    /** Real idle PostgreSQL connections opened when the simulator has a postgres_url. */
    connections: z.number().int().min(1).max(100).default(5),
  }),
  z.strictObject({ kind: z.literal('invariant_violation'), component, count: z.number().int().min(1).max(1_000_000).default(1) }),
  z.strictObject({
    kind: z.literal('latency'),
    component,
    // spec §12: 100–500 ms on every endpoint.
    min_ms: z.number().int().min(0).max(60_000).default(100),
    max_ms: z.number().int().min(0).max(60_000).default(500),
  }),
  z.strictObject({ kind: z.literal('read_only'), component }),
  // spec §8.1: a CRC32C mismatch found on a stored page or event (corrupted data, §12.1 "corrupt a database page").
  z.strictObject({ kind: z.literal('checksum_mismatch'), component, count: z.number().int().min(1).max(1_000_000).default(1) }),
  // issue 14 §3: the database primary's host is lost; failover_database must promote the replica.
  z.strictObject({
    kind: z.literal('primary_down'),
    component,
    /** The lost host comes back this long after a failover and rejoins as a replica (as Patroni does with pg_rewind). */
    rejoin_after_s: z.number().min(0).max(3600).default(1),
  }),
]);

export type Fault = z.output<typeof faultSchema> & { component: SimComponentName };
export type FaultInput = z.input<typeof faultSchema>;

/** Validates a fault request; every problem is a 400 RequestError naming the field. */
export function parseFault(input: unknown): Fault {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new RequestError(400, 'invalid_fault', `kind must be one of ${FAULT_KINDS.join(', ')}`, { field: 'kind' });
  }
  const result = faultSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.join('.');
    throw new RequestError(400, 'invalid_fault', `${field ?? 'fault'}: ${issue?.message ?? 'invalid'}`, { field });
  }
  const fault = result.data as Fault;
  checkSemantics(fault);
  return fault;
}

function checkSemantics(fault: Fault): void {
  if (fault.kind === 'lag' && fault.metric === 'replication' && !hasReplication(fault.component)) {
    throw new RequestError(400, 'invalid_fault', `${fault.component} has no replica: replication lag exists only on database`, { field: 'metric' });
  }
  if (fault.kind === 'primary_down' && !hasReplication(fault.component)) {
    throw new RequestError(400, 'invalid_fault', `${fault.component} has no primary/replica pair: primary_down exists only on database`, { field: 'component' });
  }
  if (fault.kind === 'latency' && fault.min_ms > fault.max_ms) {
    throw new RequestError(400, 'invalid_fault', 'min_ms must not exceed max_ms', { field: 'min_ms' });
  }
}

export { lagMetric } from './lag-metric';

/** Faults the supervisor's database pair takes, not the component process. */
export function isDatabasePairFault(kind: FaultKind): boolean {
  return kind === 'primary_down';
}
