import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Job outcomes counted by warden_remediation_jobs_total{outcome}. */
export type JobOutcome =
  | 'succeeded'
  | 'verified'
  | 'verify_failed'
  | 'failed'
  | 'dry_run'
  | 'skipped_cooldown'
  | 'skipped_budget'
  | 'skipped_dedup'
  | 'cancelled';

/** The remediation pipeline's metrics, registered on the instance's registry (not the global one). */
export class RemediationMetrics {
  readonly jobs: Counter<'action' | 'outcome'>;
  readonly attemptSeconds: Histogram<'action'>;
  readonly budgetRemaining: Gauge<'rule' | 'target'>;
  readonly dryRuns: Counter<'action'>;

  constructor(registry: Registry) {
    this.jobs = new Counter({ name: 'warden_remediation_jobs_total', help: 'Remediation jobs by action and final outcome.', labelNames: ['action', 'outcome'], registers: [registry] });
    this.attemptSeconds = new Histogram({
      name: 'warden_remediation_attempt_duration_seconds',
      help: 'Duration of one executor attempt.',
      labelNames: ['action'],
      buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 5, 10, 30, 120],
      registers: [registry],
    });
    this.budgetRemaining = new Gauge({ name: 'warden_remediation_budget_remaining', help: 'Actions still allowed in the current budget window per rule and target.', labelNames: ['rule', 'target'], registers: [registry] });
    this.dryRuns = new Counter({ name: 'warden_remediation_dry_runs_total', help: 'Jobs recorded instead of run because of dry-run.', labelNames: ['action'], registers: [registry] });
  }
}
