/** spec §11.1 */
export type HealthStatus = 'green' | 'yellow' | 'red';

export const HEALTH_RANK: Record<HealthStatus, number> = { green: 0, yellow: 1, red: 2 };

export function worst(a: HealthStatus, b: HealthStatus): HealthStatus {
  return HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b;
}

export interface HealthReason {
  /** `trading_halted`: spec §8.2, Red overall until an operator resumes trading. */
  readonly kind: 'alert' | 'stale' | 'trading_halted';
  readonly status: HealthStatus;
  /** The component the reason belongs to (absent for exchange-scoped alerts without one). */
  readonly component?: string;
  /** Alert name, for kind 'alert'. */
  readonly alert?: string;
  readonly fingerprint?: string;
  readonly summary: string;
}

export interface ComponentHealth {
  readonly name: string;
  readonly critical: boolean;
  readonly status: HealthStatus;
  readonly reasons: readonly HealthReason[];
}

export interface HealthSnapshot {
  readonly status: HealthStatus;
  /** Why the overall status is what it is (component and exchange-scoped reasons). */
  readonly reasons: readonly HealthReason[];
  readonly components: readonly ComponentHealth[];
  readonly evaluatedAtMs: number;
}

/** What Warden has recorded of a trading halt (src/remediate/trading-state.ts), as health input. */
export interface TradingHalt {
  /** ISO time the halt was recorded. */
  readonly since: string | null;
  readonly reason: string | null;
  readonly incident: string | null;
}

/** A change of one component's status, or of the overall status (component `null`). */
export interface HealthTransition {
  readonly component: string | null;
  readonly from: HealthStatus;
  readonly to: HealthStatus;
  readonly reasons: readonly HealthReason[];
  readonly atMs: number;
}
