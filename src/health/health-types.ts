/** spec §11.1 */
export type HealthStatus = 'green' | 'yellow' | 'red';

export const HEALTH_RANK: Record<HealthStatus, number> = { green: 0, yellow: 1, red: 2 };

export function worst(a: HealthStatus, b: HealthStatus): HealthStatus {
  return HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b;
}

export interface HealthReason {
  readonly kind: 'alert' | 'stale';
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

/** A change of one component's status, or of the overall status (component `null`). */
export interface HealthTransition {
  readonly component: string | null;
  readonly from: HealthStatus;
  readonly to: HealthStatus;
  readonly reasons: readonly HealthReason[];
  readonly atMs: number;
}
