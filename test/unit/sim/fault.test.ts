import { RequestError } from '../../../src/errors';
import { lagMetric, parseFault } from '../../../src/sim/fault';

function rejection(input: unknown): RequestError {
  try {
    parseFault(input);
  } catch (err) {
    if (err instanceof RequestError) return err;
    throw err;
  }
  throw new Error('expected a RequestError');
}

describe('fault requests', () => {
  it('accepts each kind with its defaults', () => {
    expect(parseFault({ kind: 'memory_leak', component: 'settlement' })).toEqual({ kind: 'memory_leak', component: 'settlement', rate_per_s: 0.025 });
    expect(parseFault({ kind: 'disk_fill', component: 'reporting' })).toMatchObject({ target_ratio: 0.95 });
    expect(parseFault({ kind: 'idle_connections', component: 'database' })).toMatchObject({ target_ratio: 0.92, connections: 5 });
    expect(parseFault({ kind: 'latency', component: 'order-gateway' })).toMatchObject({ min_ms: 100, max_ms: 500 });
    expect(parseFault({ kind: 'invariant_violation', component: 'settlement' })).toMatchObject({ count: 1 });
    expect(parseFault({ kind: 'crash', component: 'matching-engine' })).toEqual({ kind: 'crash', component: 'matching-engine' });
  });

  it('lag moves replication lag on the database and processing lag elsewhere', () => {
    const db = parseFault({ kind: 'lag', component: 'database', value: 12 });
    const me = parseFault({ kind: 'lag', component: 'matching-engine', value: 3 });
    expect(db.kind === 'lag' && lagMetric(db)).toBe('replication');
    expect(me.kind === 'lag' && lagMetric(me)).toBe('processing');
    const dbProcessing = parseFault({ kind: 'lag', component: 'database', value: 3, metric: 'processing' });
    expect(dbProcessing.kind === 'lag' && lagMetric(dbProcessing)).toBe('processing');
  });

  it('an unknown kind is a 400 naming the field', () => {
    const err = rejection({ kind: 'meteor', component: 'database' });
    expect(err.status).toBe(400);
    expect(err.field).toBe('kind');
  });

  it('an unknown component is a 400 naming the component field', () => {
    const err = rejection({ kind: 'crash', component: 'toaster' });
    expect(err.field).toBe('component');
    expect(err.message).toContain('matching-engine');
  });

  it('lag without a value is rejected', () => {
    expect(rejection({ kind: 'lag', component: 'database' }).field).toBe('value');
  });

  it('a negative lag is rejected', () => {
    expect(rejection({ kind: 'lag', component: 'database', value: -1 }).field).toBe('value');
  });

  it('replication lag on a component without a replica is rejected', () => {
    expect(rejection({ kind: 'lag', component: 'settlement', value: 5, metric: 'replication' }).field).toBe('metric');
  });

  it('unknown fields are rejected rather than ignored', () => {
    expect(rejection({ kind: 'crash', component: 'database', value: 3 }).field).toBe('value');
  });

  it('latency with min above max is rejected', () => {
    expect(rejection({ kind: 'latency', component: 'database', min_ms: 600, max_ms: 100 }).field).toBe('min_ms');
  });

  it('a target ratio above 1 is rejected', () => {
    expect(rejection({ kind: 'disk_fill', component: 'database', target_ratio: 1.5 }).field).toBe('target_ratio');
  });
});
