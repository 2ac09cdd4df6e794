import type { Alert } from '../rules/alert';
import { type ComponentHealth, type HealthReason, type HealthSnapshot, type HealthStatus, type TradingHalt, HEALTH_RANK, worst } from './health-types';

export interface HealthInput {
  readonly components: ReadonlyArray<{ readonly name: string; readonly critical: boolean }>;
  /** Alerts in any state; only firing ones count. */
  readonly alerts: readonly Alert[];
  /** Newest sample time for a component (ms), -Infinity when never seen. */
  readonly lastSeenMs: (component: string) => number;
  readonly stalenessMs: number;
  readonly nowMs: number;
  /** Set while trading is halted (spec §8.2); undefined while it runs. */
  readonly tradingHalted?: TradingHalt;
}

/** The `health` label of a firing alert, or undefined when it doesn't speak to health. */
function alertHealth(alert: Alert): HealthStatus | undefined {
  const h = alert.labels.health;
  return h === 'yellow' || h === 'red' ? h : undefined;
}

/**
 * Alert snapshots are frozen and reused by the rules until the alert changes, so the reason built
 * for one is too: a rollup with 100k firing alerts (a storm) then allocates nothing per alert.
 */
const reasonOf = new WeakMap<Alert, HealthReason>();

function alertReason(alert: Alert, status: HealthStatus): HealthReason {
  const known = reasonOf.get(alert);
  if (known?.status === status) return known;
  const summary = alert.annotations.summary ?? `${alert.name} firing`;
  const component = alert.labels.component;
  const reason: HealthReason = { kind: 'alert', status, alert: alert.name, fingerprint: alert.fingerprint, summary, ...(component !== undefined ? { component } : {}) };
  if (Object.isFrozen(alert)) reasonOf.set(alert, reason);
  return reason;
}

// A code-unit comparison, not localeCompare: an alert storm puts 100k reasons here on every rollup.
const byRankThenName = (a: HealthReason, b: HealthReason) =>
  HEALTH_RANK[b.status] - HEALTH_RANK[a.status] || (a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0);

function haltReason(h: TradingHalt): HealthReason {
  const since = h.since ? ` since ${h.since}` : '';
  const why = h.reason ? `: ${h.reason}` : '';
  return { kind: 'trading_halted', status: 'red', summary: `trading halted${since}${why} (resumes only by an operator)` };
}

/**
 * spec §11.1 rollup, pure. A component is the worst `health` of its firing alerts; a configured
 * component without fresh data is Yellow 'stale' (fail fast: never Green for data Warden lacks).
 * Overall is the worst of the critical components, non-critical ones count at most Yellow, and an
 * alert labelled scope="exchange" sets overall directly, as does a trading halt (spec §8.2: Red
 * until an operator resumes). Linear in the alerts: a storm must not stall the event loop.
 */
export function computeHealth(input: HealthInput): HealthSnapshot {
  const reasonsOf = new Map<string, HealthReason[]>();
  const exchangeReasons: HealthReason[] = [];
  for (const alert of input.alerts) {
    if (alert.state !== 'firing') continue;
    const status = alertHealth(alert);
    if (!status) continue;
    const reason = alertReason(alert, status);
    if (alert.labels.scope === 'exchange') exchangeReasons.push(reason);
    const component = alert.labels.component;
    if (component !== undefined) {
      const list = reasonsOf.get(component) ?? [];
      list.push(reason);
      reasonsOf.set(component, list);
    }
  }

  const configured = new Set(input.components.map((c) => c.name));
  const components: ComponentHealth[] = input.components.map((c) => {
    const reasons = [...(reasonsOf.get(c.name) ?? [])];
    const age = input.nowMs - input.lastSeenMs(c.name);
    if (!(age <= input.stalenessMs)) {
      const summary = Number.isFinite(age) ? `no data for ${Math.round(age / 1000)}s` : 'no data received yet';
      reasons.push({ kind: 'stale', status: 'yellow', component: c.name, summary });
    }
    return finish(c.name, c.critical, reasons);
  });
  // Alerts about components nobody configured are shown, not hidden, as non-critical components.
  for (const [name, reasons] of reasonsOf) {
    if (!configured.has(name)) components.push(finish(name, false, [...reasons]));
  }

  let status: HealthStatus = 'green';
  const overallReasons: HealthReason[] = [];
  for (const c of components) {
    if (c.status === 'green') continue;
    status = worst(status, c.critical ? c.status : 'yellow');
    for (const r of c.reasons) overallReasons.push(r);
  }
  const listed = new Set(overallReasons);
  for (const r of exchangeReasons) {
    status = worst(status, r.status);
    if (!listed.has(r)) overallReasons.push(r);
  }
  if (input.tradingHalted) {
    status = 'red';
    overallReasons.push(haltReason(input.tradingHalted));
  }
  overallReasons.sort(byRankThenName);
  return { status, reasons: overallReasons, components, evaluatedAtMs: input.nowMs };
}

function finish(name: string, critical: boolean, reasons: HealthReason[]): ComponentHealth {
  reasons.sort(byRankThenName);
  const status = reasons.reduce<HealthStatus>((s, r) => worst(s, r.status), 'green');
  return { name, critical, status, reasons };
}
