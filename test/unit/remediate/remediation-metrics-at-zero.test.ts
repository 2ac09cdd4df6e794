import { Registry } from 'prom-client';
import { RemediationMetrics } from '../../../src/remediate/remediation-metrics';

async function text(registry: Registry): Promise<string> {
  return registry.metrics();
}

describe('remediation metrics exported at 0 for the actions rules can take', () => {
  it('every outcome of a rule action is 0 before the first job, and dry runs only where dry-run applies', async () => {
    const registry = new Registry();
    const m = new RemediationMetrics(registry);
    m.exportAtZero([{ action: 'restart', dry_run: false }, { action: 'archive_logs', dry_run: true }], false);
    const out = await text(registry);
    expect(out).toContain('warden_remediation_jobs_total{action="restart",outcome="verified"} 0');
    expect(out).toContain('warden_remediation_jobs_total{action="archive_logs",outcome="skipped_budget"} 0');
    expect(out).toContain('warden_remediation_attempt_duration_seconds_count{action="restart"} 0');
    expect(out).toContain('warden_remediation_dry_runs_total{action="archive_logs"} 0');
    expect(out).not.toContain('warden_remediation_dry_runs_total{action="restart"}');
    expect(out).not.toContain('action="halt_trading"');
  });

  it('global dry-run exports dry runs of every rule action', async () => {
    const registry = new Registry();
    new RemediationMetrics(registry).exportAtZero([{ action: 'halt_trading', dry_run: false }], true);
    expect(await text(registry)).toContain('warden_remediation_dry_runs_total{action="halt_trading"} 0');
  });

  it('a rule reload keeps what was already counted and observed', async () => {
    const registry = new Registry();
    const m = new RemediationMetrics(registry);
    const rules = [{ action: 'restart' as const, dry_run: false }];
    m.exportAtZero(rules, false);
    m.jobs.inc({ action: 'restart', outcome: 'verified' });
    m.attemptSeconds.observe({ action: 'restart' }, 0.2);
    m.exportAtZero(rules, false);
    const out = await text(registry);
    expect(out).toContain('warden_remediation_jobs_total{action="restart",outcome="verified"} 1');
    expect(out).toContain('warden_remediation_attempt_duration_seconds_count{action="restart"} 1');
  });
});
