import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { restartDownRules, restartRemediationConfig } from '../../support/remediation-rules';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { CHROMIUM, launchChromium, pageCollectingErrors } from './browser';

/**
 * Issue 13 §4 on a whole Warden (rules, incidents, silences, trading, remediation) in real headless
 * Chromium: an operator enters an operate token in the page and acknowledges, silences, resumes
 * and resolves; each is checked on the API as well as on the page. A wrong token changes nothing.
 */

const READ = 'read-token-0123456789abcdef';
const OPERATE = 'operate-token-0123456789abc';
if (!existsSync(CHROMIUM) && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
const describeInBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

jest.setTimeout(120_000);

describeInBrowser('the console acts, on a whole Warden', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let h: WardenHarness;
  let exchange: Server;
  const calls: Array<{ url: string; body: string }> = [];
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    exchange = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push({ url: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => exchange.listen(0, '127.0.0.1', r));
    const stub = `http://127.0.0.1:${(exchange.address() as AddressInfo).port}`;
    const rules = restartDownRules({
      url: `${stub}/control/restart/{{target}}`,
      alertLabels: 'severity: P2, health: yellow',
      moreRules: [
        '{alert: ProcessingLagDegraded, expr: "processing_lag_seconds >= 1 and processing_lag_seconds <= 10", labels: {health: yellow, severity: P2}, annotations: {summary: "processing lag {{ $value }} s"}}',
        '{alert: ProcessingLagCritical, expr: "processing_lag_seconds > 10", labels: {health: red, severity: P1}, annotations: {summary: "processing lag {{ $value }} s"}}',
      ],
    });
    h = await startHarness({
      config: `
auth:
  tokens:
    - {name: viewer, token: ${READ}, scopes: [read]}
    - {name: oncall, token: ${OPERATE}, scopes: [operate]}
    - {name: pusher, token: ingest-token-0123456789, scopes: [ingest]}
components:
  - {name: order-gateway, critical: false}
  - {name: settlement, critical: true}
exchange: {admin_url: "${stub}"}
${restartRemediationConfig(stub).replace('evaluation_interval: 200ms', 'evaluation_interval: 250ms')}`,
      files: { 'down.rules.yaml': rules },
    });
    browser = await launchChromium();
    page = await pageCollectingErrors(browser!.context, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await new Promise((r) => exchange?.close(r));
  });

  const push = (samples: Array<{ name: string; labels: Record<string, string>; value: number }>) => h.push(samples, 'ingest-token-0123456789');
  const get = async (path: string) => (await h.request('GET', path, { token: READ })).body;
  const incidentRow = (id: string) => page.locator(`#incidents-body tr[data-incident="${id}"]`);
  async function lagIncident(): Promise<{ id: string; status: string }> {
    for (;;) {
      const list = (await get('/v1/incidents')).incidents as Array<{ id: string; status: string; labels: Record<string, string>; summary: string }>;
      const inc = list.find((i) => i.status !== 'resolved' && /processing lag/.test(i.summary));
      if (inc) return inc;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('without an operate token the page is read-only and says so; a wrong token is refused and changes nothing', async () => {
    expect((await push([
      { name: 'processing_lag_seconds', labels: { component: 'order-gateway' }, value: 4 },
      { name: 'component_up', labels: { component: 'order-gateway' }, value: 1 },
      { name: 'processing_lag_seconds', labels: { component: 'settlement' }, value: 0.2 },
      { name: 'component_up', labels: { component: 'settlement' }, value: 1 },
    ])).status).toBe(200);
    await h.warden.remediation.trading.markHalted({ actor: 'warden', reason: 'invariant violation: negative balance', incident: 'inc-7', idempotencyKey: 'halt-console-acts' });
    const inc = await lagIncident();

    await page.goto(h.url);
    await page.fill('#token-input', READ);
    await page.click('#token-form button[type=submit]');
    await page.locator('#alerts-body td', { hasText: 'ProcessingLagDegraded' }).waitFor();
    await incidentRow(inc.id).waitFor();
    await page.locator('#trading-state', { hasText: 'HALTED' }).waitFor();
    expect(await page.locator('#readonly-note').isVisible()).toBe(true);
    expect(await page.locator('#operator').textContent()).toMatch(/^Read-only/);
    expect(await page.locator('#alerts-body button, #incidents-body button, #resume-btn:visible').count()).toBe(0);

    await page.click('#operate-btn');
    await page.fill('#operate-input', 'not-the-operate-token-0123');
    await page.click('#operate-form button[type=submit]');
    await page.locator('#operate-error', { hasText: 'That operate token was not accepted.' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('warden.operateToken'))).toBeNull();
    expect(await page.locator('#alerts-body button, #incidents-body button').count()).toBe(0);
    expect((await get(`/v1/incidents/${inc.id}`)).status).toBe('triggered');
    expect(await get('/v1/silences')).toEqual([]);
    expect((await get('/v1/trading')).state).toBe('halted');
  });

  test('with the operate token: acknowledge an incident, as the token\'s owner, with a reason', async () => {
    await page.fill('#operate-input', OPERATE);
    await page.click('#operate-form button[type=submit]');
    await page.locator('#operator', { hasText: 'Operating as oncall' }).waitFor();
    expect(await page.locator('#readonly-note').isHidden()).toBe(true);
    const inc = await lagIncident();
    await incidentRow(inc.id).locator('button', { hasText: 'Ack' }).click();
    expect(await page.locator('#reason-title').textContent()).toBe('Acknowledge P2 incident');
    await page.fill('#reason-input', 'looking at the gateway');
    await page.click('#reason-dialog button[value=ok]');
    await incidentRow(inc.id).locator('td.status', { hasText: 'acknowledged by oncall' }).waitFor();
    const after = await get(`/v1/incidents/${inc.id}`);
    expect([after.status, after.acknowledgedBy, after.ackReason]).toEqual(['acknowledged', 'oncall', 'looking at the gateway']);
    expect(await incidentRow(inc.id).locator('button', { hasText: 'Ack' }).count()).toBe(0);
  });

  test('silence from an alert: matchers prefilled from its labels, a duration picked, shown in the Silences section', async () => {
    await page.locator('#alerts-body tr', { hasText: 'ProcessingLagDegraded' }).locator('button', { hasText: 'Silence' }).click();
    const rows = await page.locator('#silence-matchers .matcher').evaluateAll((divs: any[]) => divs.map((d) => [d.querySelector('label').textContent, d.querySelector('input[type=text]').value, d.querySelector('input[type=checkbox]').checked]));
    expect(rows).toEqual([
      ['alertname', 'ProcessingLagDegraded', true], ['component', 'order-gateway', true], ['health', 'yellow', true], ['severity', 'P2', true],
    ]);
    await page.locator('#silence-matchers input[data-name=health]').uncheck();
    await page.locator('#silence-matchers input[data-name=severity]').uncheck();
    await page.selectOption('#silence-duration', '2h');
    // No comment: refused in the dialog, nothing created.
    await page.click('#silence-form button[type=submit]');
    await page.locator('#silence-error', { hasText: 'Say why (comment).' }).waitFor();
    expect(await get('/v1/silences')).toEqual([]);
    await page.fill('#silence-comment', 'gateway deploy in progress');
    await page.click('#silence-form button[type=submit]');
    await page.locator('#toast', { hasText: 'Silenced alertname="ProcessingLagDegraded", component="order-gateway" for 2h' }).waitFor();
    const silences = await get('/v1/silences');
    expect(silences).toHaveLength(1);
    const s = silences[0];
    expect(s.matchers).toEqual([{ name: 'alertname', value: 'ProcessingLagDegraded', isRegex: false, isEqual: true }, { name: 'component', value: 'order-gateway', isRegex: false, isEqual: true }]);
    // Warden starts a silence dated in the past now (as Alertmanager does), so allow the page's round trip.
    expect(Math.abs(Date.parse(s.endsAt) - Date.parse(s.startsAt) - 2 * 3_600_000)).toBeLessThan(5_000);
    expect(Math.abs(Date.parse(s.endsAt) - (Date.now() + 2 * 3_600_000))).toBeLessThan(30_000);
    expect([s.createdBy, s.comment, s.status.state]).toEqual(['oncall', 'gateway deploy in progress', 'active']);
    await page.locator(`#silences-body tr[data-silence="${s.id}"]`, { hasText: 'alertname="ProcessingLagDegraded", component="order-gateway"' }).waitFor();
    expect(await page.locator(`#silences-body tr[data-silence="${s.id}"]`).textContent()).toMatch(/active.*until.*oncall.*gateway deploy in progress/);
  });

  test('resume trading with a reason; then resolve the incident', async () => {
    await page.locator('#resume-btn').click();
    await page.fill('#reason-input', 'ledger reconciled');
    await page.click('#reason-dialog button[value=ok]');
    await page.locator('#trading-state', { hasText: 'RUNNING' }).waitFor();
    expect(calls.filter((c) => c.url === '/trading/resume').map((c) => JSON.parse(c.body))).toEqual([{ reason: 'ledger reconciled', actor: 'oncall' }]);
    expect((await get('/v1/trading')).state).toBe('running');

    const inc = await lagIncident();
    await incidentRow(inc.id).locator('button', { hasText: 'Resolve' }).click();
    await page.fill('#reason-input', 'lag explained by the deploy');
    await page.click('#reason-dialog button[value=ok]');
    await incidentRow(inc.id).locator('td.status', { hasText: 'resolved' }).waitFor();
    expect((await get(`/v1/incidents/${inc.id}`)).status).toBe('resolved');
    const audit = (await get('/v1/audit?limit=1000')).entries as Array<{ actor: string; action: string }>;
    expect(audit.filter((e) => e.actor === 'oncall').map((e) => e.action)).toEqual(expect.arrayContaining(['incident.acknowledge', 'silence.create', 'trading.resumed', 'incident.resolve']));
  });

  test('pictures: lag sparkline, up/down strip and Green/Yellow/Red strip per component; the remediation outcome as a sentence', async () => {
    // A red lag and an outage, in a later 5 s bucket than the first samples.
    await new Promise((r) => setTimeout(r, 5_200));
    await push([{ name: 'processing_lag_seconds', labels: { component: 'order-gateway' }, value: 12 }, { name: 'component_up', labels: { component: 'order-gateway' }, value: 0 }]);
    const tile = page.locator('[data-component="order-gateway"]');
    await tile.locator('.pic-lag svg[aria-label^="Lag now 12 s, peak 12 s"]').waitFor({ timeout: 15_000 });
    expect(Number(await tile.locator('.pic-lag svg').getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
    expect(await tile.locator('.pic-lag polyline').getAttribute('points')).toMatch(/^[\d.]+,[\d.]+ [\d.]+,[\d.]+/);
    await tile.locator('.pic-up figcaption', { hasText: /^DOWN now, down in \d+ of \d+ samples$/ }).waitFor({ timeout: 15_000 });
    await tile.locator('.pic-health figcaption', { hasText: /RED/ }).waitFor({ timeout: 15_000 });
    const health = await tile.locator('.pic-health figcaption').textContent();
    expect(health).toMatch(/^Health, last 15 min: RED (<1|\d+) min, YELLOW (<1|\d+) min/);
    expect(Number(await tile.locator('.pic-health svg').getAttribute('data-segments'))).toBeGreaterThanOrEqual(3);
    expect(await tile.locator('.pic-health rect.st-red').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-component="settlement"] .pic-up figcaption').textContent()).toBe('Up now, no downtime seen');

    // component_up 0 fired ComponentDown: its restart ran against the stub.
    const outcome = page.locator('#remediations-body td.outcome', { hasText: 'Restarted order-gateway' });
    await outcome.waitFor({ timeout: 20_000 });
    expect(await outcome.textContent()).toMatch(/^Restarted order-gateway via http:\/\/127\.0\.0\.1:\d+\/control\/restart\/order-gateway \(HTTP 200\)\.$/);
    expect(await page.locator('#remediations-body').textContent()).not.toContain('{');
    await page.screenshot({ path: '/tmp/console-acts.png', fullPage: true });
    expect(errors).toEqual([]);
  });
});
