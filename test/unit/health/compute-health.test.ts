import { computeHealth } from '../../../src/health/compute-health';
import type { Alert } from '../../../src/rules/alert';

const NOW = 1_700_000_000_000;
const components = [
  { name: 'matching-engine', critical: true },
  { name: 'database', critical: true },
  { name: 'reporting', critical: false },
];
const fresh = () => NOW - 1000;

function alert(name: string, labels: Record<string, string>, state: Alert['state'] = 'firing'): Alert {
  return { fingerprint: name + JSON.stringify(labels), name, group: 'g', file: 'f', labels: { alertname: name, ...labels }, annotations: { summary: `${name} on ${labels.component}` }, state, activeAtMs: NOW - 5000, value: 1 };
}

function health(alerts: Alert[], lastSeenMs: (c: string) => number = fresh) {
  return computeHealth({ components, alerts, lastSeenMs, stalenessMs: 60_000, nowMs: NOW });
}

describe('health rollup (spec §11.1)', () => {
  it('is Green when every component has fresh data and nothing fires', () => {
    const h = health([]);
    expect(h.status).toBe('green');
    expect(h.components.every((c) => c.status === 'green' && c.reasons.length === 0)).toBe(true);
  });

  it('takes the worst health label of a component’s firing alerts', () => {
    const h = health([alert('LagYellow', { component: 'database', health: 'yellow' }), alert('LagRed', { component: 'database', health: 'red' })]);
    const db = h.components.find((c) => c.name === 'database');
    expect(db?.status).toBe('red');
    expect(db?.reasons.map((r) => r.alert)).toEqual(['LagRed', 'LagYellow']);
    expect(h.status).toBe('red');
  });

  it('ignores pending alerts and alerts without a health label', () => {
    const h = health([alert('LagRed', { component: 'database', health: 'red' }, 'pending'), alert('Info', { component: 'database' })]);
    expect(h.status).toBe('green');
  });

  it('counts a non-critical component at most Yellow overall, but shows it Red itself', () => {
    const h = health([alert('Down', { component: 'reporting', health: 'red' })]);
    expect(h.components.find((c) => c.name === 'reporting')?.status).toBe('red');
    expect(h.status).toBe('yellow');
  });

  it('lets an exchange-scoped alert set overall directly', () => {
    const h = health([alert('InvariantViolation', { component: 'reporting', health: 'red', scope: 'exchange' })]);
    expect(h.status).toBe('red');
    expect(h.reasons[0]).toMatchObject({ alert: 'InvariantViolation', status: 'red' });
  });

  it('never shows Green for data it does not have: a silent component is Yellow "stale"', () => {
    const h = health([], (c) => (c === 'database' ? NOW - 60_001 : fresh()));
    const db = h.components.find((c) => c.name === 'database');
    expect(db).toMatchObject({ status: 'yellow', reasons: [{ kind: 'stale', status: 'yellow' }] });
    expect(h.status).toBe('yellow');
  });

  it('treats data exactly `staleness` old as still fresh', () => {
    expect(health([], () => NOW - 60_000).status).toBe('green');
  });

  it('reports a component that never sent data as stale', () => {
    const h = health([], () => -Infinity);
    expect(h.components.every((c) => c.status === 'yellow' && c.reasons[0]?.summary === 'no data received yet')).toBe(true);
  });

  it('shows alerts about unconfigured components as non-critical components', () => {
    const h = health([alert('Down', { component: 'mystery', health: 'red' })]);
    expect(h.components.find((c) => c.name === 'mystery')).toMatchObject({ critical: false, status: 'red' });
    expect(h.status).toBe('yellow');
  });
});
