import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WardenHarness } from '../../support/warden-harness';
import { ALICE, BOB, READER, RestartRecorder, approvalRules, auditOf, jobOf, setUp, sleep, startApprovalWarden, stepsOf, waitFor } from './approval-fixture';

/**
 * Issue 13 §2 through a real Warden (real Redis, real HTTP, the http restart driver pointed at a
 * local recorder): a rule with `approval:` waits in awaiting_approval showing what it would do;
 * approve runs it once through the usual pipeline; reject and expiry page P0; every forged or bad
 * request changes nothing.
 */
let recorder: RestartRecorder;
let h: WardenHarness;

beforeAll(async () => {
  recorder = await RestartRecorder.start();
  h = await startApprovalWarden(recorder);
});
afterAll(async () => {
  await h?.stop();
  await recorder?.stop();
});

const post = (path: string, token?: string, body?: unknown) => h.request('POST', path, { token, body: body ?? {} });

async function awaiting(target: string): Promise<any> {
  await setUp(h, target, 0);
  return waitFor(`${target}'s job awaiting approval`, async () => {
    const j = await jobOf(h, target);
    return j?.state === 'awaiting_approval' ? j : undefined;
  });
}

describe('a job of a rule with approval.required', () => {
  let job: any;
  beforeAll(async () => {
    job = await awaiting('settlement');
  });

  it('waits in awaiting_approval with what it would do, and does nothing', async () => {
    expect(job.approval).toEqual({
      status: 'pending',
      wouldDo: expect.stringContaining(`/control/restart/settlement`),
      why: 'settlement is down',
      approvers: ['principal:alice', 'slack:U0APPROVER'],
      requestedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(job.approval.expiresAt) - Date.parse(job.approval.requestedAt)).toBe(600_000);
    expect((await h.request('GET', `/v1/remediations/${job.id}`, { token: READER })).body.state).toBe('awaiting_approval');
    await sleep(500);
    expect(recorder.of('settlement')).toEqual([]);
    expect(await stepsOf(h, job.id)).toEqual(['matched', 'enqueued', 'awaiting_approval']);
  });

  it('forged and bad requests are refused and change nothing', async () => {
    const path = `/v1/remediations/${job.id}/approve`;
    expect((await post(path)).status).toBe(401);
    expect((await post(path, 'not-a-token-0123456789abcdef')).status).toBe(401);
    expect((await post(path, READER)).status).toBe(403);
    const bob = await post(path, BOB);
    expect(bob).toMatchObject({ status: 403, body: { error: { code: 'not_an_approver' } } });
    expect((await post(path, ALICE, { reason: '' })).body.error).toMatchObject({ code: 'invalid_body', field: 'reason' });
    expect((await post(path, ALICE, { reason: 'ok', force: true })).body.error).toMatchObject({ code: 'invalid_body', message: 'unknown field "force"' });
    expect((await h.request('POST', path, { token: ALICE, rawBody: '{"reason":', contentType: 'application/json' })).status).toBe(400);
    expect(await post('/v1/remediations/rem.nope/approve', ALICE)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    await sleep(300);
    expect((await jobOf(h, 'settlement')).state).toBe('awaiting_approval');
    expect(recorder.of('settlement')).toEqual([]);
    expect((await auditOf(h, (e) => e.action === 'remediation.approval_refused')).map((e) => e.actor)).toEqual(['bob']);
  });

  it('approve: runs once through the usual pipeline; approving again changes nothing; rejecting now is a 409', async () => {
    const first = await post(`/v1/remediations/${job.id}/approve`, ALICE, { reason: 'go ahead' });
    expect(first).toMatchObject({ status: 200, body: { id: job.id, decision: 'approved', changed: true, decidedBy: 'alice', decidedAt: expect.any(String), reason: 'go ahead' } });
    await waitFor('the restart', () => recorder.of('settlement').length === 1);
    const again = await post(`/v1/remediations/${job.id}/approve`, ALICE);
    expect(again).toMatchObject({ status: 200, body: { decision: 'approved', changed: false, decidedBy: 'alice' } });
    expect(await post(`/v1/remediations/${job.id}/reject`, ALICE)).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
    const done = await waitFor('completed', async () => ((await jobOf(h, 'settlement'))?.state === 'completed' ? jobOf(h, 'settlement') : undefined));
    expect(done.result).toMatchObject({ outcome: 'succeeded', attempt: 1, fencingToken: expect.any(Number) });
    expect(done.approval).toMatchObject({ status: 'approved', decidedBy: 'alice', reason: 'go ahead' });
    expect(recorder.of('settlement')).toEqual([expect.objectContaining({ idempotencyKey: job.id })]);
    // bob's refused attempt is audited against the job too
    expect(await stepsOf(h, job.id)).toEqual(['matched', 'enqueued', 'awaiting_approval', 'approval_refused', 'approved', 'attempt', 'success']);
    expect((await auditOf(h, (e) => e.action === 'remediation.approved'))[0]).toMatchObject({ actor: 'alice', details: { by: 'alice', reason: 'go ahead' } });
  });
});

describe('reject and expiry', () => {
  it('reject: nothing runs, and a P0 incident says who rejected it', async () => {
    const job = await awaiting('matching-engine');
    const res = await post(`/v1/remediations/${job.id}/reject`, ALICE, { reason: 'market open, not now' });
    expect(res).toMatchObject({ status: 200, body: { decision: 'rejected', changed: true } });
    expect((await post(`/v1/remediations/${job.id}/reject`, ALICE)).body).toMatchObject({ decision: 'rejected', changed: false });
    expect(await post(`/v1/remediations/${job.id}/approve`, ALICE)).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
    const done = await waitFor('completed', async () => ((await jobOf(h, 'matching-engine'))?.state === 'completed' ? jobOf(h, 'matching-engine') : undefined));
    expect(done.result).toMatchObject({ outcome: 'skipped', reason: 'rejected', detail: expect.stringContaining('rejected by alice: market open, not now') });
    const p0 = await waitFor('the P0', async () => ((await h.request('GET', '/v1/incidents?severity=P0', { token: READER })).body.incidents as any[]).find((i) => i.alerts[0]?.labels.reason === 'approval_rejected'));
    expect(p0.summary).toContain('remediation rejected');
    expect(p0.alerts[0].labels).toMatchObject({ severity: 'P0', target: 'matching-engine', rule: 'restart-critical' });
    expect(p0.details.job_id).toBe(job.id);
    await sleep(300);
    expect(recorder.of('matching-engine')).toEqual([]);
    expect(await stepsOf(h, job.id)).toEqual(['matched', 'enqueued', 'awaiting_approval', 'rejected', 'escalated']);
  });

  it('a decision that does not come within the ttl: nothing runs, a P0 says so, a late approval is refused', async () => {
    const short = await startApprovalWarden(recorder, '{ttl: 1s}');
    try {
      await setUp(short, 'ledger', 0);
      const job = await waitFor('awaiting', async () => {
        const j = await jobOf(short, 'ledger');
        return j?.state === 'awaiting_approval' ? j : undefined;
      });
      const done = await waitFor('completed after the ttl', async () => ((await jobOf(short, 'ledger'))?.state === 'completed' ? jobOf(short, 'ledger') : undefined));
      expect(done.result).toMatchObject({ outcome: 'skipped', reason: 'approval_expired' });
      expect(done.approval.status).toBe('expired');
      const late = await short.request('POST', `/v1/remediations/${job.id}/approve`, { token: BOB, body: {} });
      expect(late).toMatchObject({ status: 409, body: { error: { code: 'approval_expired' } } });
      const p0 = await waitFor('the P0', async () => ((await short.request('GET', '/v1/incidents?severity=P0', { token: READER })).body.incidents as any[]).find((i) => i.alerts[0]?.labels.reason === 'approval_expired'));
      expect(p0.summary).toContain('remediation approval expired');
      expect(recorder.of('ledger')).toEqual([]);
      expect(await stepsOf(short, job.id)).toEqual(['matched', 'enqueued', 'awaiting_approval', 'approval_expired', 'escalated']);
    } finally {
      await short.stop();
    }
  });

  it('an alert that cleared while waiting is not acted on after approval', async () => {
    const job = await awaiting('database');
    await setUp(h, 'database', 1);
    await waitFor('the alert to clear', async () => !((await h.request('GET', '/v1/alerts', { token: READER })).body.alerts as any[]).some((a) => a.labels.component === 'database'));
    expect((await post(`/v1/remediations/${job.id}/approve`, ALICE)).status).toBe(200);
    const done = await waitFor('completed', async () => ((await jobOf(h, 'database'))?.state === 'completed' ? jobOf(h, 'database') : undefined));
    expect(done.result).toMatchObject({ outcome: 'skipped', reason: 'alert_resolved' });
    expect(recorder.of('database')).toEqual([]);
  });
});

describe('rules', () => {
  it('halt_trading with approval is refused at load, naming file, line and field; the old rules keep running', async () => {
    const bad = approvalRules('{ttl: 5m}', `  - name: halt-with-approval
    on: {alert: ComponentDown}
    action: halt_trading
    target: exchange
    approval: {ttl: 5m}
`);
    writeFileSync(join(h.dir, 'down.rules.yaml'), bad);
    const res = await h.request('POST', '/v1/rules/reload', { token: ALICE });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/down\.rules\.yaml:\d+:\d+: .*approval.*halt_trading never waits for approval/);
    expect(h.warden.remediation.service.rules.map((r) => r.name)).toEqual(['restart-critical']);
  });
});
