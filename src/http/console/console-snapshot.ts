import type { HealthSnapshot } from '../../health/health-types';
import type { Alert, AlertTransition } from '../../rules/alert';

/** An alert as the console shows it: what an on-call engineer reads, nothing internal. */
export interface ConsoleAlert {
  readonly fingerprint: string;
  readonly name: string;
  readonly state: Alert['state'];
  readonly labels: Alert['labels'];
  readonly annotations: Alert['annotations'];
  readonly value: number;
  readonly activeAtMs: number;
  readonly firedAtMs?: number;
}

/** The `snapshot` event: everything the console needs to draw itself from nothing. */
export interface ConsoleSnapshot {
  /** null before the first evaluation: the console then shows "no data", never Green. */
  readonly health: HealthSnapshot | null;
  readonly alerts: readonly ConsoleAlert[];
  readonly sentAtMs: number;
}

export function consoleAlert(a: Alert): ConsoleAlert {
  return {
    fingerprint: a.fingerprint,
    name: a.name,
    state: a.state,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    activeAtMs: a.activeAtMs,
    ...(a.firedAtMs !== undefined ? { firedAtMs: a.firedAtMs } : {}),
  };
}

export function consoleAlertTransition(t: AlertTransition) {
  return { from: t.from, to: t.to, atMs: t.atMs, alert: consoleAlert(t.alert) };
}

/**
 * Builds the snapshot from the tracker's current health and the engine's active alerts. The lead
 * wires it as `snapshot: () => consoleSnapshot({ health: tracker.current, alerts: engine.activeAlerts() }, clock())`.
 */
export function consoleSnapshot(src: { health: HealthSnapshot | undefined; alerts: readonly Alert[] }, nowMs: number): ConsoleSnapshot {
  return {
    health: src.health ?? null,
    alerts: src.alerts.filter((a) => a.state !== 'inactive').map(consoleAlert),
    sentAtMs: nowMs,
  };
}
