import { ComponentState } from '../../../src/sim/component-state';
import { renderExposition } from '../../../src/sim/exposition';
import { parseFault } from '../../../src/sim/fault';
import type { SimComponentName } from '../../../src/sim/components';

const MiB = 1024 * 1024;

function state(component: SimComponentName = 'database', over: { logBytes?: () => number; idle?: () => { opened: number; alive: number } } = {}) {
  let now = 1_000_000;
  const s = new ComponentState({
    component,
    clock: () => now,
    random: () => 0.5,
    logBytes: over.logBytes ?? (() => 0),
    diskCapacityBytes: 100 * MiB,
    idleConnections: over.idle ?? (() => ({ opened: 0, alive: 0 })),
  });
  return { s, advance: (ms: number) => (now += ms) };
}

function value(s: ComponentState, name: string): number | undefined {
  return s.metricFamilies().find((f) => f.name === name)?.samples[0]?.value;
}

describe('a healthy simulated component', () => {
  it('reports every metric well inside Green, labelled with its component', () => {
    const { s } = state('database');
    expect(value(s, 'replication_lag_seconds')).toBeLessThan(1);
    expect(value(s, 'processing_lag_seconds')).toBeLessThan(1);
    expect(value(s, 'memory_used_ratio')).toBeLessThan(0.8);
    expect(value(s, 'disk_used_ratio')).toBeLessThan(0.9);
    expect(value(s, 'db_connections_used_ratio')).toBeLessThan(0.9);
    expect(value(s, 'component_read_only')).toBe(0);
    expect(value(s, 'invariant_violations_total')).toBe(0);
    for (const f of s.metricFamilies()) expect(f.samples[0]?.labels).toEqual({ component: 'database' });
  });

  it('only the database reports replication lag', () => {
    expect(value(state('settlement').s, 'replication_lag_seconds')).toBeUndefined();
  });
});

describe('faults change the metrics they are meant to', () => {
  it('replication lag of 12 s is reported as 12', () => {
    const { s } = state();
    s.apply(parseFault({ kind: 'lag', component: 'database', value: 12 }));
    expect(value(s, 'replication_lag_seconds')).toBe(12);
    expect(value(s, 'processing_lag_seconds')).toBeLessThan(1);
  });

  it('a memory leak passes 0.8 and keeps what it leaked when cleared', () => {
    const { s, advance } = state('settlement');
    s.apply(parseFault({ kind: 'memory_leak', component: 'settlement', rate_per_s: 0.05 }));
    advance(10_000);
    expect(s.memoryRatio()).toBeGreaterThan(0.8);
    s.clear('memory_leak');
    advance(60_000);
    expect(s.memoryRatio()).toBeGreaterThan(0.8);
    expect(s.memoryRatio()).toBeLessThan(0.9);
  });

  it('a leak with max_ratio levels off above 0.8 and below the unhealthy 0.98, whatever the noise; cleared, it keeps that', () => {
    for (const noise of [0, 0.5, 0.999]) {
      let now = 0;
      const s = new ComponentState({ component: 'settlement', clock: () => now, random: () => noise, logBytes: () => 0, diskCapacityBytes: MiB, idleConnections: () => ({ opened: 0, alive: 0 }) });
      s.apply(parseFault({ kind: 'memory_leak', component: 'settlement', rate_per_s: 0.05, max_ratio: 0.93 }));
      now += 600_000;
      expect(s.memoryRatio()).toBeGreaterThan(0.8);
      expect(s.memoryRatio()).toBeLessThanOrEqual(0.93);
      expect(s.healthy()).toBe(true);
      s.clear('memory_leak');
      now += 60_000;
      expect(s.memoryRatio()).toBeGreaterThan(0.8);
      expect(s.memoryRatio()).toBeLessThanOrEqual(0.93);
    }
  });

  it('memory near the limit makes /healthz unhealthy', () => {
    const { s, advance } = state('settlement');
    s.apply(parseFault({ kind: 'memory_leak', component: 'settlement', rate_per_s: 0.1 }));
    expect(s.healthy()).toBe(true);
    advance(10_000);
    expect(s.memoryRatio()).toBe(0.99);
    expect(s.healthy()).toBe(false);
  });

  it('disk usage follows the real log bytes and disk_fill wants bytes up to its target', () => {
    let bytes = 0;
    const { s } = state('reporting', { logBytes: () => bytes });
    expect(s.diskRatio()).toBe(0.3);
    s.apply(parseFault({ kind: 'disk_fill', component: 'reporting' }));
    expect(s.diskFillBytesWanted()).toBe(Math.ceil(0.65 * 100 * MiB));
    bytes = 65 * MiB;
    expect(s.diskRatio()).toBe(0.95);
    expect(s.diskFillBytesWanted()).toBe(0);
  });

  it('idle connections raise the ratio to the target, and reaping them lowers it', () => {
    let alive = 4;
    const { s } = state('database', { idle: () => ({ opened: 4, alive }) });
    s.apply(parseFault({ kind: 'idle_connections', component: 'database', target_ratio: 0.95 }));
    expect(value(s, 'db_connections_used_ratio')).toBe(0.95);
    alive = 0;
    expect(value(s, 'db_connections_used_ratio')).toBeLessThan(0.9);
  });

  it('invariant violations only ever add up', () => {
    const { s } = state('settlement');
    s.apply(parseFault({ kind: 'invariant_violation', component: 'settlement' }));
    s.apply(parseFault({ kind: 'invariant_violation', component: 'settlement', count: 2 }));
    s.clear();
    expect(value(s, 'invariant_violations_total')).toBe(3);
  });

  it('checksum mismatches (corrupted data) only ever add up, from 0', () => {
    const { s } = state('database');
    expect(value(s, 'checksum_mismatches_total')).toBe(0);
    s.apply(parseFault({ kind: 'checksum_mismatch', component: 'database', count: 2 }));
    s.clear();
    expect(value(s, 'checksum_mismatches_total')).toBe(2);
  });

  it('read_only sets component_read_only to 1 until cleared', () => {
    const { s } = state('order-gateway');
    s.apply(parseFault({ kind: 'read_only', component: 'order-gateway' }));
    expect(value(s, 'component_read_only')).toBe(1);
    expect(s.clear('read_only')).toEqual(['read_only']);
    expect(value(s, 'component_read_only')).toBe(0);
  });

  it('latency stays inside its bounds', () => {
    const { s } = state('market-data');
    expect(s.latencyMs()).toBe(0);
    s.apply(parseFault({ kind: 'latency', component: 'market-data' }));
    expect(s.latencyMs()).toBe(300);
  });
});

describe('exposition', () => {
  it('renders HELP, TYPE and escaped label values', () => {
    const text = renderExposition([{ name: 'x_total', help: 'a\\b', type: 'counter', samples: [{ labels: { l: 'q"\n' }, value: 1 }] }]);
    expect(text).toBe('# HELP x_total a\\\\b\n# TYPE x_total counter\nx_total{l="q\\"\\n"} 1\n');
  });
});
