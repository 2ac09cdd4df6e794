import type { Labels } from '../signals/sample';

/** Prometheus alert states. */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** An alert instance: one rule x one label set. Snapshots handed out are immutable. */
export interface Alert {
  /** Stable hash of the alert's labels (including alertname), like Alertmanager's fingerprint. */
  readonly fingerprint: string;
  /** The rule's `alert` name. */
  readonly name: string;
  readonly group: string;
  readonly file: string;
  /** Where it came from: absent for Warden's own rules; 'prometheus' for one posted to /api/v2/alerts. */
  readonly source?: 'prometheus';
  /** Series labels + rule labels + alertname. Warden reads `health`, `severity`, `component`, `scope`. */
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: AlertState;
  /** When the condition first held (pending began), ms since epoch. */
  readonly activeAtMs: number;
  /** When it started firing; set once firing. Part of remediation idempotency keys. */
  readonly firedAtMs?: number;
  /** When it stopped firing (state inactive). */
  readonly resolvedAtMs?: number;
  /** Value of the expression's sample that made it active. */
  readonly value: number;
  /** The generatorURL a Prometheus posted with the alert (source 'prometheus' only). */
  readonly generatorURL?: string;
}

/** A change of an alert's state, as handed to health, incidents and remediation. */
export interface AlertTransition {
  readonly alert: Alert;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly atMs: number;
  /** W3C trace context of the `alert.transition` span, when tracing is on (issue 6 §3). */
  readonly traceContext?: Readonly<Record<string, string>>;
}
