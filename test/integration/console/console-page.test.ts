import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Route } from 'playwright-core';
import { AuditLog } from '../../../src/audit/audit-log';
import type { Alert } from '../../../src/rules/alert';
import { tradingRoutes } from '../../../src/http/routes/trading';
import { TradingState } from '../../../src/remediate/trading-state';
import { chromiumPresent, launchChromium } from './browser';
import { exchangeHealth, startConsoleHarness } from './console-harness';

const READ = 'read-token-0123456789abcdef';
const OPERATE = 'operate-token-0123456789abc';
const describeInBrowser = chromiumPresent() ? describe : describe.skip;

jest.setTimeout(60_000);

let browser: Awaited<ReturnType<typeof launchChromium>>;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

/** Script errors and console errors (a CSP violation is one) collected per page; close() asserts none. */
const pageErrors = new WeakMap<Page, string[]>();
async function openConsole(url: string): Promise<Page> {
  const page = await browser!.context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    // Failed loads are expected: 404 section probes, 401s before a token, the cut stream.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  await page.goto(url);
  return page;
}
async function closeConsole(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page)).toEqual([]);
}
function alert(name: string, component: string, health: 'yellow' | 'red', severity: string, summary: string): Alert {
  const now = Date.now();
  return { fingerprint: `${name}-${component}`, name, group: 'exchange', file: 'rules/exchange.rules.yaml', labels: { alertname: name, component, health, severity }, annotations: { summary }, state: 'firing', activeAtMs: now - 5_000, firedAtMs: now, value: 1 };
}
const banner = (page: Page) => page.locator('#banner-status');

describeInBrowser('the console on an open Warden (no tokens)', () => {
  let h: Awaited<ReturnType<typeof startConsoleHarness>>;
  beforeAll(async () => {
    h = await startConsoleHarness({ snapshotIntervalMs: 300 });
  });
  afterAll(() => h?.stop());

  it('shows NO DATA, never Green, until Warden has evaluated health', async () => {
    const page = await openConsole(h.url);
    await page.locator('#conn', { hasText: 'Live' }).waitFor();
    expect(await banner(page).textContent()).toBe('NO DATA');
    expect(await page.locator('#banner-detail').textContent()).toBe('Warden has not evaluated health yet.');
    await h.publish(exchangeHealth(Date.now()));
    await page.locator('#banner-status', { hasText: 'GREEN' }).waitFor();
    await closeConsole(page);
  });

  it('draws the snapshot, then follows a transition live: banner, tile, feed and alerts', async () => {
    h.alerts = [alert('ProcessingLagHigh', 'market-data', 'yellow', 'P2', 'processing lag 4 s (1-10 s)')];
    await h.publish(exchangeHealth(Date.now(), { 'market-data': { status: 'yellow', summary: 'processing lag 4 s' } }));
    const page = await openConsole(h.url);
    await page.locator('#banner-status', { hasText: 'YELLOW' }).waitFor();
    expect(await page.locator('#banner-detail').textContent()).toBe('Degraded: processing lag 4 s');
    expect(await page.locator('[data-component="market-data"] .pill').textContent()).toBe('\u25B2 YELLOW');
    expect(await page.locator('.tile').count()).toBe(6);
    for (const section of ['#trading', '#incidents', '#remediations']) expect(await page.locator(section).isHidden()).toBe(true);

    // As the evaluation loop does: alert transitions first, then the health they cause.
    // The engine's active alerts change with the transition, so a periodic snapshot agrees with it.
    const critical = alert('ReplicationLagCritical', 'database', 'red', 'P1', 'replication lag 12.5 s (> 10 s)');
    h.alerts = [...h.alerts, critical];
    h.events.emit('alert', { from: 'pending', to: 'firing', atMs: Date.now(), alert: critical });
    await h.publish(exchangeHealth(Date.now(), { 'market-data': { status: 'yellow', summary: 'processing lag 4 s' }, database: { status: 'red', summary: 'replication lag 12.5 s (> 10 s)' } }));
    await page.locator('#banner-status', { hasText: 'RED' }).waitFor();
    await page.locator('#alerts-count', { hasText: '2' }).waitFor();
    expect(await page.locator('#alerts-body tr').first().textContent()).toMatch(/^ReplicationLagCritical.*database.*RED.*P1.*firing/);
    expect(await page.locator('#banner-icon').textContent()).toBe('\u2715');
    expect(await page.locator('[data-component="database"] .pill').textContent()).toBe('\u2715 RED');
    expect(await page.locator('[data-component="database"] .reasons').textContent()).toBe('replication lag 12.5 s (> 10 s)');
    const feed = await page.locator('#feed li').allTextContents();
    expect(feed[0]).toMatch(/Exchange YELLOW \u2192 RED/);
    expect(feed[1]).toMatch(/database GREEN \u2192 RED: replication lag 12\.5 s/);
    expect(feed[2]).toMatch(/Alert ReplicationLagCritical on database firing/);
    expect(await page.title()).toBe('RED \u00B7 Warden');
    await page.screenshot({ path: '/tmp/console.png', fullPage: true });
    await closeConsole(page);
  });

  it('says DISCONNECTED when the stream drops, then reconnects by itself', async () => {
    const page = await openConsole(h.url);
    await page.locator('#conn', { hasText: 'Live' }).waitFor();
    // Hold reconnects off while asserting: the page retries after ~1 s, less than a slow runner may take.
    const refuse = (route: Route) => route.abort('connectionrefused');
    await page.route('**/v1/stream', refuse);
    h.dropConnections();
    await page.locator('#banner-status', { hasText: 'DISCONNECTED' }).waitFor();
    expect(await page.locator('#conn').textContent()).toMatch(/^Disconnected/);
    await page.unroute('**/v1/stream', refuse);
    await page.locator('#conn', { hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await page.locator('#banner-status', { hasText: 'RED' }).waitFor();
    await closeConsole(page);
  });

  it('renders hostile alert labels as text, not markup', async () => {
    const page = await openConsole(h.url);
    await page.locator('#conn', { hasText: 'Live' }).waitFor();
    const evil = '<img src=x onerror="document.body.dataset.pwned=1">';
    h.events.emit('alert', { from: 'pending', to: 'firing', atMs: Date.now(), alert: { fingerprint: 'x1', name: evil, group: 'g', file: 'f', labels: { alertname: evil, component: evil, health: 'red' }, annotations: { summary: evil }, state: 'firing', activeAtMs: Date.now(), firedAtMs: Date.now(), value: 1 } });
    await page.locator('#alerts-body td', { hasText: 'onerror' }).first().waitFor();
    expect(await page.locator('#alerts-body img').count()).toBe(0);
    expect(await page.locator('body').getAttribute('data-pwned')).toBeNull();
    await closeConsole(page);
  });
});

describeInBrowser('the console on a Warden with tokens, trading halted', () => {
  let h: Awaited<ReturnType<typeof startConsoleHarness>>;
  let exchange: Server;
  const resumes: unknown[] = [];
  beforeAll(async () => {
    exchange = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/trading/resume') resumes.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => exchange.listen(0, '127.0.0.1', r));
    const adminUrl = `http://127.0.0.1:${(exchange.address() as AddressInfo).port}`;
    h = await startConsoleHarness({
      tokens: [{ name: 'viewer', token: READ, scopes: ['read'] }, { name: 'oncall', token: OPERATE, scopes: ['operate'] }],
      routers: ({ auth, redis }) => {
        const audit = new AuditLog({ redis, prefix: 'console-test' });
        const trading = new TradingState({ redis, prefix: 'console-test', audit, adminUrl });
        void trading.markHalted({ actor: 'warden', reason: 'invariant violation: negative balance', incident: 'inc-42', idempotencyKey: 'halt-1' });
        return [tradingRoutes({ auth, trading, audit })];
      },
    });
    await h.publish(exchangeHealth(Date.now(), {}, 'red'));
  });
  afterAll(async () => {
    await h?.stop();
    await new Promise((r) => exchange?.close(r));
  });

  it('asks for a token on 401, then connects with it', async () => {
    const page = await openConsole(h.url);
    await page.locator('#token-form').waitFor();
    expect(await banner(page).textContent()).toBe('NO DATA');
    await page.fill('#token-input', 'not-a-token-0123456789');
    await page.click('#token-form button[type=submit]');
    await page.locator('#token-error', { hasText: 'That token was not accepted.' }).waitFor();
    await page.fill('#token-input', READ);
    await page.click('#token-form button[type=submit]');
    await page.locator('#banner-status', { hasText: 'RED' }).waitFor();
    expect(await page.locator('#token-form').isHidden()).toBe(true);
    await page.locator('#trading-state', { hasText: 'Trading \u2715 HALTED' }).waitFor();
    expect(await page.locator('#trading-detail').textContent()).toMatch(/invariant violation: negative balance \(incident inc-42\)/);
    await page.screenshot({ path: '/tmp/console-halted.png', fullPage: true });
    await closeConsole(page);
  });

  it('a read token is read-only and says so; an operate token entered in the page resumes with a reason', async () => {
    const page = await openConsole(h.url);
    await page.fill('#token-input', READ);
    await page.click('#token-form button[type=submit]');
    await page.locator('#trading-state', { hasText: 'Trading \u2715 HALTED' }).waitFor();
    expect(await page.locator('#resume-btn').isHidden()).toBe(true);
    expect(await page.locator('#readonly-note').textContent()).toBe('Read-only: enter an operate token to acknowledge, resolve, silence, approve or reject a repair, end a maintenance window or resume trading.');
    expect(await page.locator('#operator').textContent()).toMatch(/^Read-only/);

    // A read token in the operate form is refused, and nothing is offered.
    await page.click('#operate-btn');
    await page.fill('#operate-input', READ);
    await page.click('#operate-form button[type=submit]');
    await page.locator('#operate-error', { hasText: 'This token (viewer) has only the read scope: it can look, not act.' }).waitFor();
    expect(await page.locator('#resume-btn').isHidden()).toBe(true);

    await page.fill('#operate-input', OPERATE);
    await page.click('#operate-form button[type=submit]');
    await page.locator('#operator', { hasText: 'Operating as oncall' }).waitFor();
    expect(await page.locator('#readonly-note').isHidden()).toBe(true);
    expect(await page.evaluate(() => { const w = globalThis as any; return [w.sessionStorage.getItem('warden.operateToken'), w.localStorage.length]; })).toEqual([OPERATE, 0]);
    await page.locator('#resume-btn').click();
    await page.fill('#reason-input', 'ledger reconciled, invariant holds');
    await page.click('#reason-dialog button[value=ok]');
    await page.locator('#trading-state', { hasText: 'Trading \u2713 RUNNING' }).waitFor();
    expect(resumes).toEqual([{ reason: 'ledger reconciled, invariant holds', actor: 'oncall' }]);
    expect(await page.locator('#resume-btn').isHidden()).toBe(true);
    await closeConsole(page);
  });
});
