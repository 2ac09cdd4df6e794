import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RemediationAction } from './executor';

/** Job outcomes counted by warden_remediation_jobs_total{outcome}. */
export const JOB_OUTCOMES = [
  'succeeded',
  'verified',
  'verify_failed',
  'failed',
  'dry_run',
  'skipped_cooldown',
  'skipped_budget',
  'skipped_resolved',
  'skipped_dedup',
  'cancelled',
  // issue 13 §2: a human said no, or nobody answered within the approval ttl.
  'rejected',
  'approval_expired',
] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** Why a target was refused (warden_remediations_refused_total{reason}); see TargetPolicy. */
export const REFUSAL_REASONS = ['unsafe_target', 'unknown_target'] as const;

/** The remediation pipeline's metrics, registered on the instance's registry (not the global one). */
export class RemediationMetrics {
  readonly jobs: Counter<'action' | 'outcome'>;
  readonly attemptSeconds: Histogram<'action'>;
  readonly budgetRemaining: Gauge<'rule' | 'target'>;
  readonly dryRuns: Counter<'action'>;
  readonly refused: Counter<'reason'>;
  readonly #histogramsAtZero = new Set<RemediationAction>();

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
    this.refused = new Counter({ name: 'warden_remediations_refused_total', help: 'Remediations refused because their target is unsafe or not allowed (never acted on; audited and paged).', labelNames: ['reason'], registers: [registry] });
    // A refusal is rare and matters: at 0 from the start, so increase() sees the first one.
    for (const reason of REFUSAL_REASONS) this.refused.inc({ reason }, 0);
  }

  /**
   * Exports every series of the actions the loaded rules can take at 0 before their first job.
   * A series that appears with its first event (value 1) hides that event from increase() and
   * rate(), so dashboards would show no job, no dry run and no attempt duration for it
   * (dashboards/README.md; Prometheus instrumentation practice: initialise known label values).
   */
  exportAtZero(rules: ReadonlyArray<{ readonly action: RemediationAction; readonly dry_run: boolean }>, globalDryRun: boolean): void {
    for (const rule of rules) {
      for (const outcome of JOB_OUTCOMES) this.jobs.inc({ action: rule.action, outcome }, 0);
      if (rule.dry_run || globalDryRun) this.dryRuns.inc({ action: rule.action }, 0);
      // Histogram.zero() would wipe what a rule reload finds already observed: once per action.
      if (!this.#histogramsAtZero.has(rule.action)) this.attemptSeconds.zero({ action: rule.action });
      this.#histogramsAtZero.add(rule.action);
    }
  }
}
