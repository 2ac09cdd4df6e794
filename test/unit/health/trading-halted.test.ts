import { computeHealth } from '../../../src/health/compute-health';
import type { Alert } from '../../../src/rules/alert';

const NOW = 1_700_000_000_000;
const components = [
  { name: 'matching-engine', critical: true },
  { name: 'reporting', critical: false },
];
const fresh = () => NOW - 1000;
const halt = { since: '2023-11-14T22:13:00.000Z', reason: 'invariant violation', incident: 'inc_1' };

function health(o: { alerts?: Alert[]; tradingHalted?: typeof halt } = {}) {
  return computeHealth({ components, alerts: o.alerts ?? [], lastSeenMs: fresh, stalenessMs: 60_000, nowMs: NOW, tradingHalted: o.tradingHalted });
}

describe('trading halted (spec §8.2)', () => {
  it('makes overall health Red with reason trading_halted while every component is Green', () => {
    const h = health({ tradingHalted: halt });
    expect(h.status).toBe('red');
    expect(h.components.every((c) => c.status === 'green')).toBe(true);
    expect(h.reasons).toEqual([expect.objectContaining({ kind: 'trading_halted', status: 'red' })]);
    expect(h.reasons[0]?.summary).toMatch(/trading halted since 2023-11-14T22:13:00.000Z: invariant violation/);
  });

  it('is listed beside other reasons, and gone once trading runs again', () => {
    const lag: Alert = { fingerprint: 'f', name: 'LagYellow', group: 'g', file: 'f', labels: { alertname: 'LagYellow', component: 'reporting', health: 'yellow' }, annotations: {}, state: 'firing', activeAtMs: NOW, value: 2 };
    const halted = health({ alerts: [lag], tradingHalted: halt });
    expect(halted.status).toBe('red');
    expect(halted.reasons.map((r) => r.kind).sort()).toEqual(['alert', 'trading_halted']);
    const running = health({ alerts: [lag] });
    expect(running.status).toBe('yellow');
    expect(running.reasons.map((r) => r.kind)).toEqual(['alert']);
  });

  it('rolls up a storm of exchange-scoped alerts in linear time (no reason is listed twice)', () => {
    const alerts: Alert[] = [];
    for (let i = 0; i < 100_000; i++) {
      alerts.push({ fingerprint: `f${i}`, name: 'DataIntegrityViolation', group: 'g', file: 'f', labels: { alertname: 'DataIntegrityViolation', component: 'matching-engine', instance: `i${i}`, health: 'red', scope: 'exchange' }, annotations: { summary: `violation ${i}` }, state: 'firing', activeAtMs: NOW, value: 1 });
    }
    const h = health({ alerts });
    expect(h.status).toBe('red');
    expect(h.reasons).toHaveLength(100_000);
  });
});
