import { runInNewContext } from 'node:vm';
import { CONSOLE_SECTIONS_JS } from '../../../src/http/console/console-script-sections';

/** The console's own browser code (the string the page runs), evaluated here for every job outcome. */
const outcomeSentence = runInNewContext(`${CONSOLE_SECTIONS_JS}\noutcomeSentence`, {}) as (job: unknown) => string;
const job = (over: Record<string, unknown>) => ({ state: 'completed', attempts: 1, result: null, failed_reason: null, ...over });

describe('a remediation outcome as a sentence, not JSON', () => {
  it.each([
    [job({ result: { outcome: 'verified', summary: 'restarted db via http://x/restart/db (HTTP 200)', attempt: 2, verify: { held: true, checks: 3, elapsedMs: 2400 } } }),
      'Restarted db via http://x/restart/db (HTTP 200). It took 2 attempts. Verified: the condition held after 2.4 s (3 checks).'],
    [job({ result: { outcome: 'verify_failed', summary: 'reaped 4 idle connections', attempt: 1, verify: { held: false, checks: 10, elapsedMs: 30000 } } }),
      'Reaped 4 idle connections. But verification failed: the condition did not hold within 30.0 s (10 checks). Escalated to a person.'],
    [job({ result: { outcome: 'succeeded', summary: 'archived 3 files (12 MiB)', attempt: 1 } }), 'Archived 3 files (12 MiB).'],
    [job({ result: { outcome: 'dry_run', wouldDo: 'restart order-gateway via the http driver' } }), 'Dry run: would restart order-gateway via the http driver. Nothing was changed.'],
    [job({ result: { outcome: 'skipped', reason: 'cooldown', detail: 'next allowed at 10:05' } }), 'Skipped because the target is in its cooldown (next allowed at 10:05).'],
    [job({ result: { outcome: 'skipped', reason: 'alert_resolved', detail: '' } }), 'Skipped because the alert had resolved before it ran.'],
    [job({ state: 'failed', attempts: 6, failed_reason: 'HTTP 503 from the restart endpoint' }), 'Failed after 6 attempts: HTTP 503 from the restart endpoint. Escalated to a person.'],
    [job({ state: 'delayed', attempts: 2, failed_reason: 'connection refused' }), 'Waiting to retry after 2 attempts: connection refused.'],
    [job({ state: 'active', attempts: 0 }), 'Running now (attempt 1).'],
    [job({ state: 'waiting', attempts: 0 }), 'Waiting to run.'],
  ])('outcome %#', (j, sentence) => {
    expect(outcomeSentence(j)).toBe(sentence);
  });
});
