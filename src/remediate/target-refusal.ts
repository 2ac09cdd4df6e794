import { errorMessage } from '../errors';
import { isRedisUnavailable } from '../runtime/redis-unavailable';
import type { Logger } from '../telemetry/logger';
import type { Escalator } from './escalator';
import { auditRemediationStep, type RemediationAuditSink } from './remediation-audit';
import type { RemediationMetrics } from './remediation-metrics';
import type { TargetRefusal } from './target-policy';
import type { EnqueueProgress } from './remediation-enqueuer';

export interface RefusalDeps {
  readonly audit: RemediationAuditSink;
  readonly escalator: Escalator;
  readonly metrics: RemediationMetrics;
  readonly log: Logger;
}

export interface RefusedRemediation {
  readonly jobId: string;
  readonly rule: string;
  readonly action: string;
  readonly target: string;
  readonly alert: { readonly name: string; readonly fingerprint: string; readonly firedAtMs: number };
}

/**
 * A remediation Warden will not run because of its target (issue 9): written to the audit log
 * first, counted, then raised as a P0 incident through the escalation path, so a missing
 * component in warden.yaml, or someone pushing made-up component names, is seen by a human.
 * The escalation key includes the target: each refused target pages once (the incidents
 * pipeline deduplicates a key for a day), however often its alert fires.
 */
export async function refuseRemediation(d: RefusalDeps, r: RefusedRemediation, refusal: TargetRefusal, progress?: Pick<EnqueueProgress, 'atMs' | 'done'>): Promise<void> {
  const base = { job_id: r.jobId, rule: r.rule, action: r.action, alert: r.alert.name, alert_fingerprint: r.alert.fingerprint, fired_at_ms: r.alert.firedAtMs };
  // Retried after a Redis outage part-way: the refusal is recorded and counted once.
  const refusedKey = `refused:${r.jobId}`;
  if (!progress?.done.has(refusedKey)) {
    d.log.warn({ rule: r.rule, action: r.action, target: r.target, reason: refusal.reason }, refusal.message);
    await auditRemediationStep(d.audit, 'refused', r.target, { ...base, reason: refusal.reason, message: refusal.message }, undefined, progress?.atMs);
    d.metrics.refused.inc({ reason: refusal.reason });
    progress?.done.add(refusedKey);
  }
  if (progress?.done.has(`escalated:${r.jobId}`)) return;
  const summary = `${refusal.message} (rule ${r.rule} would ${r.action} it for alert ${r.alert.name})`;
  let delivered = true;
  let error: string | undefined;
  try {
    await d.escalator.escalate({
      key: `remediation/${r.rule}/refused/${refusal.reason}/${r.target}`,
      summary,
      labels: { severity: 'P0', source: 'remediation', reason: 'target_refused', refusal: refusal.reason, rule: r.rule, action: r.action, target: r.target },
      details: base,
    });
  } catch (err) {
    // Redis not there (an outage): the caller's outbox retries the whole refusal once it answers.
    if (isRedisUnavailable(err)) throw err;
    delivered = false;
    error = errorMessage(err);
    d.log.error({ err, jobId: r.jobId }, 'remediation refusal could not be escalated');
  }
  await auditRemediationStep(d.audit, 'escalated', r.target, { ...base, reason: 'target_refused', summary, delivered, ...(error ? { error } : {}) });
  progress?.done.add(`escalated:${r.jobId}`);
}
