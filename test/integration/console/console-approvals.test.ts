import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { WardenHarness } from '../../support/warden-harness';
import { ALICE, BOB, READER, RestartRecorder, auditOf, jobOf, setUp, startApprovalWarden, waitFor } from '../approvals/approval-fixture';
import { CHROMIUM, launchChromium, pageCollectingErrors } from './browser';

/**
 * Issue 13 §4, the remaining actions, on a whole Warden in real headless Chromium: approve and
 * reject a remediation awaiting approval (each with a reason), end a maintenance window. Each is
 * checked on the API (job state, the restart endpoint, the audit) and on the page. Without an operate
 * token there is no button; an operate token that is not an approver is refused and the page says so.
 */
if (!existsSync(CHROMIUM) && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
const describeInBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

jest.setTimeout(120_000);

describeInBrowser('the console approves, rejects and ends maintenance, on a whole Warden', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let recorder: RestartRecorder;
  let h: WardenHarness;
  let page: Page;
  let windowId: string;
  const jobs: Record<string, any> = {};
  const errors: string[] = [];

  beforeAll(async () => {
    recorder = await RestartRecorder.start();
    h = await startApprovalWarden(recorder);
    for (const c of ['settlement', 'database', 'ledger']) await setUp(h, c, 0);
    for (const c of ['settlement', 'database', 'ledger']) {
      jobs[c] = await waitFor(`${c} awaiting approval`, async () => {
        const j = await jobOf(h, c);
        return j?.state === 'awaiting_approval' ? j : undefined;
      });
    }
    const w = await h.request('POST', '/v1/maintenance', { token: ALICE, body: { name: 'reporting rebuild', matchers: ['component="reporting"'], endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'index rebuild' } });
    expect(w.status).toBe(201);
    windowId = w.body.id;
    browser = await launchChromium();
    page = await pageCollectingErrors(browser!.context, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await recorder?.stop();
  });

  const jobRow = (c: string) => page.locator(`#remediations-body tr[data-remediation="${jobs[c].id}"]`);
  const windowRow = () => page.locator(`#maintenance-body tr[data-window="${windowId}"]`);
  async function useOperateToken(token: string, name: string) {
    if (await page.locator('#operate-stop').count()) await page.click('#operate-stop');
    await page.click('#operate-btn');
    await page.fill('#operate-input', token);
    await page.click('#operate-form button[type=submit]');
    await page.locator('#operator', { hasText: `Operating as ${name}` }).waitFor();
  }
  async function giveReason(reason: string) {
    await page.fill('#reason-input', reason);
    await page.click('#reason-dialog button[value=ok]');
  }

  test('read-only: the waiting jobs say what they would do, the window is listed, and nothing can be clicked', async () => {
    await page.goto(h.url);
    await page.fill('#token-input', READER);
    await page.click('#token-form button[type=submit]');
    await jobRow('settlement').locator('td.outcome', { hasText: /^awaiting approval until .*: .*\/control\/restart\/settlement/ }).waitFor();
    await windowRow().locator('td.status', { hasText: 'active' }).waitFor();
    expect(await windowRow().textContent()).toMatch(/reporting rebuild.*component="reporting".*active.*until.*alice.*index rebuild/);
    expect(await page.locator('#remediations-body button, #maintenance-body button').count()).toBe(0);
    expect(await page.locator('#readonly-note').textContent()).toMatch(/approve or reject a repair, end a maintenance window/);
  });

  test('an operate token that is not among the rule\'s approvers is refused; the page says why and nothing runs', async () => {
    await useOperateToken(BOB, 'bob');
    await jobRow('ledger').locator('button', { hasText: 'Approve' }).click();
    await giveReason('I think it is fine');
    await page.locator('#toast', { hasText: /^Approve restart ledger failed: / }).waitFor();
    expect((await jobOf(h, 'ledger')).state).toBe('awaiting_approval');
    expect(recorder.of('ledger')).toEqual([]);
    expect((await auditOf(h, (e) => e.action === 'remediation.approval_refused')).map((e) => e.actor)).toEqual(['bob']);
  });

  test('approve: the dialog shows what it would do; the restart runs once; page and API agree', async () => {
    await useOperateToken(ALICE, 'alice');
    await jobRow('settlement').locator('button', { hasText: 'Approve' }).click();
    expect(await page.locator('#reason-title').textContent()).toBe('Approve restart settlement');
    expect(await page.locator('#reason-text').textContent()).toMatch(/^It runs at once: .*\/control\/restart\/settlement/);
    await giveReason('settlement is wedged, restart it');
    await page.locator('#toast', { hasText: 'Approved by alice: it runs now.' }).waitFor();
    await waitFor('the restart', () => recorder.of('settlement').length === 1);
    await jobRow('settlement').locator('td.outcome', { hasText: /^Restarted settlement/ }).waitFor({ timeout: 20_000 });
    expect(await jobRow('settlement').locator('button').count()).toBe(0);
    expect((await jobOf(h, 'settlement')).state).toBe('completed');
    expect((await auditOf(h, (e) => e.action === 'remediation.approved')).map((e) => [e.actor, e.details?.reason])).toEqual([['alice', 'settlement is wedged, restart it']]);
  });

  test('reject: nothing runs; the outcome says a person rejected it', async () => {
    await jobRow('database').locator('button', { hasText: 'Reject' }).click();
    expect(await page.locator('#reason-title').textContent()).toBe('Reject restart database');
    await giveReason('market open, not now');
    await page.locator('#toast', { hasText: 'Rejected by alice: nothing runs.' }).waitFor();
    await jobRow('database').locator('td.outcome', { hasText: /^Skipped because a person rejected it \(.*rejected by alice: market open, not now/ }).waitFor({ timeout: 20_000 });
    const done = await jobOf(h, 'database');
    expect([done.state, done.result?.outcome, done.result?.reason]).toEqual(['completed', 'skipped', 'rejected']);
    expect(recorder.of('database')).toEqual([]);
    expect((await auditOf(h, (e) => e.action === 'remediation.rejected')).map((e) => e.actor)).toEqual(['alice']);
  });

  test('end a maintenance window: it is ended on the API, as alice, and leaves the list', async () => {
    await windowRow().locator('button', { hasText: 'End' }).click();
    await page.locator('#toast', { hasText: 'Maintenance window "reporting rebuild" ended' }).waitFor();
    await windowRow().waitFor({ state: 'detached' });
    await page.locator('#maintenance-body td.empty', { hasText: 'No maintenance windows open or scheduled.' }).waitFor();
    const w = (await h.request('GET', `/v1/maintenance/${windowId}`, { token: READER })).body;
    expect([w.status, w.endedBy]).toEqual(['ended', 'alice']);
    expect((await auditOf(h, (e) => e.action === 'maintenance.end')).map((e) => [e.actor, e.target])).toEqual([['alice', `maintenance/${windowId}`]]);
    await page.screenshot({ path: '/tmp/console-approvals.png', fullPage: true });
    expect(errors).toEqual([]);
  });
});
