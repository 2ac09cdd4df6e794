import { hasReplication, type SimComponentName } from './components';
import type { MetricFamily } from './exposition';
import type { Fault, FaultKind } from './fault';
import { lagMetric } from './lag-metric';

/** Healthy levels, chosen well inside Green so noise never crosses a threshold (spec §11.1/§11.2). */
const BASE = {
  processingLagSeconds: [0.02, 0.2],
  replicationLagSeconds: [0.05, 0.3],
  memoryRatio: [0.3, 0.4],
  dbConnectionsRatio: [0.2, 0.3],
  diskRatio: 0.3,
} as const;
/** Memory this high answers /healthz with 503, as a service thrashing before it dies would. */
const MEMORY_UNHEALTHY_RATIO = 0.98;

export interface ComponentStateDeps {
  readonly component: SimComponentName;
  readonly clock: () => number;
  readonly random: () => number;
  /** Bytes of this component's log files on disk (see RotatingLog.totalBytes). */
  readonly logBytes: () => number;
  /** Size of the simulated disk the logs live on. */
  readonly diskCapacityBytes: number;
  /** Real idle connections opened for the idle_connections fault, if any ({opened, alive}). */
  readonly idleConnections: () => { opened: number; alive: number };
}

/**
 * The state of one simulated component: active faults and the metric values they produce. No I/O
 * of its own (log bytes and connections come in through deps), so it is testable with a fake clock.
 */
export class ComponentState {
  readonly #deps: ComponentStateDeps;
  readonly #faults = new Map<FaultKind, { fault: Fault; sinceMs: number }>();
  #invariantViolations = 0;
  #checksumMismatches = 0;
  /** A leak keeps what it leaked when stopped being injected: only a restart frees memory. */
  #leakedRatio = 0;

  constructor(deps: ComponentStateDeps) {
    this.#deps = deps;
  }

  apply(fault: Fault): void {
    if (fault.kind === 'invariant_violation') {
      // A counter: each injection adds, and nothing ever takes it back.
      this.#invariantViolations += fault.count;
      return;
    }
    if (fault.kind === 'checksum_mismatch') {
      this.#checksumMismatches += fault.count;
      return;
    }
    this.#freezeLeak(fault.kind);
    this.#faults.set(fault.kind, { fault, sinceMs: this.#deps.clock() });
  }

  /** Clears one kind, or every kind. Counters and leaked memory stay: they are history, not a fault. */
  clear(kind?: FaultKind): FaultKind[] {
    const kinds = kind ? [kind] : [...this.#faults.keys()];
    const cleared = kinds.filter((k) => this.#faults.has(k));
    for (const k of cleared) {
      this.#freezeLeak(k);
      this.#faults.delete(k);
    }
    return cleared;
  }

  active(): Fault[] {
    return [...this.#faults.values()].map((f) => f.fault);
  }

  fault<K extends FaultKind>(kind: K): Extract<Fault, { kind: K }> | undefined {
    return this.#faults.get(kind)?.fault as Extract<Fault, { kind: K }> | undefined;
  }

  /** Extra delay for every request while the latency fault is active. */
  latencyMs(): number {
    const f = this.fault('latency');
    return f ? f.min_ms + Math.round(this.#deps.random() * (f.max_ms - f.min_ms)) : 0;
  }

  healthy(): boolean {
    return this.memoryRatio() < MEMORY_UNHEALTHY_RATIO;
  }

  memoryRatio(): number {
    return Math.min(0.99, round(this.#noise(BASE.memoryRatio) + this.#leaked()));
  }

  /** What leaked so far; a leak with max_ratio levels off where even the noisiest reading stays below it. */
  #leaked(): number {
    const leak = this.#faults.get('memory_leak');
    if (!leak) return this.#leakedRatio;
    const f = leak.fault as Extract<Fault, { kind: 'memory_leak' }>;
    const total = this.#leakedRatio + ((this.#deps.clock() - leak.sinceMs) / 1000) * f.rate_per_s;
    return f.max_ratio === undefined ? total : Math.max(this.#leakedRatio, Math.min(total, f.max_ratio - BASE.memoryRatio[1]));
  }

  diskRatio(): number {
    const used = BASE.diskRatio * this.#deps.diskCapacityBytes + this.#deps.logBytes();
    return Math.min(1, round(used / this.#deps.diskCapacityBytes));
  }

  /** Whether disk_fill should still write: it fills up to its target and then holds. */
  diskFillBytesWanted(): number {
    const f = this.fault('disk_fill');
    if (!f) return 0;
    const target = f.target_ratio * this.#deps.diskCapacityBytes;
    const used = BASE.diskRatio * this.#deps.diskCapacityBytes + this.#deps.logBytes();
    return Math.max(0, Math.ceil(target - used));
  }

  dbConnectionsRatio(): number {
    const base = this.#noise(BASE.dbConnectionsRatio);
    const f = this.fault('idle_connections');
    if (!f) return round(base);
    const { opened, alive } = this.#deps.idleConnections();
    // With real connections, reaping them (issue 4 reap_connections) really brings the ratio down.
    const share = opened > 0 ? alive / opened : 1;
    return round(base + (f.target_ratio - base) * share);
  }

  metricFamilies(): MetricFamily[] {
    const labels = { component: this.#deps.component };
    const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ labels, value }] });
    const families = [
      gauge('processing_lag_seconds', 'Seconds the component is behind on its input.', this.#lag('processing')),
      gauge('memory_used_ratio', 'Share of the memory limit in use (0-1).', this.memoryRatio()),
      gauge('disk_used_ratio', 'Share of the log disk in use (0-1).', this.diskRatio()),
      gauge('db_connections_used_ratio', 'Share of the database connection limit in use (0-1).', this.dbConnectionsRatio()),
      gauge('component_read_only', '1 while the component refuses writes.', this.#faults.has('read_only') ? 1 : 0),
      { name: 'invariant_violations_total', help: 'Invariant checks that failed (e.g. settlement does not balance).', type: 'counter', samples: [{ labels, value: this.#invariantViolations }] } as MetricFamily,
      { name: 'checksum_mismatches_total', help: 'Stored pages or events whose CRC32C did not match (spec §8.1).', type: 'counter', samples: [{ labels, value: this.#checksumMismatches }] } as MetricFamily,
    ];
    if (hasReplication(this.#deps.component)) {
      families.unshift(gauge('replication_lag_seconds', 'Seconds the replica is behind the primary.', this.#lag('replication')));
    }
    return families;
  }

  #lag(which: 'replication' | 'processing'): number {
    const f = this.fault('lag');
    if (f && lagMetric(f) === which) return f.value;
    return round(this.#noise(which === 'replication' ? BASE.replicationLagSeconds : BASE.processingLagSeconds));
  }

  #freezeLeak(kind: FaultKind): void {
    if (kind !== 'memory_leak' || !this.#faults.has('memory_leak')) return;
    this.#leakedRatio = this.#leaked();
  }

  #noise([lo, hi]: readonly [number, number]): number {
    return lo + this.#deps.random() * (hi - lo);
  }
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
