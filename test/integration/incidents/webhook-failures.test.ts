import { eventually } from '../../support/estate-tools';
import { FakeWebhook } from '../../support/fake-webhook';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

/**
 * A webhook endpoint that misbehaves, as Warden's delivery jobs meet it: a timeout is retried with
 * spec §3.1's backoff, a 4xx is permanent (Alertmanager's retry rule), and five failures in 10 s
 * open the webhook channel's breaker (spec §3.2), audited. One Warden; the breaker case runs last.
 */

const INGEST = 'ingest-token-0123456789';
const READ = 'read-token-0123456789abc';

describe('webhook delivery failures', () => {
  let hook: FakeWebhook;
  let h: WardenHarness;

  beforeAll(async () => {
    hook = await FakeWebhook.start();
    h = await startHarness({
      config: `
auth:
  tokens:
    - {name: prometheus, token: ${INGEST}, scopes: [ingest]}
    - {name: grafana, token: ${READ}, scopes: [read]}
notify:
  receivers:
    - {name: slow, webhook_configs: [{url: "${hook.url('/slow')}", timeout: 300ms}]}
    - {name: strict, webhook_configs: [{url: "${hook.url('/strict')}"}]}
    - {name: flaky, webhook_configs: [{url: "${hook.url('/flaky')}", timeout: 2s}]}
  route:
    group_by: ['...']
    group_wait: 0s
    routes:
      - {matchers: ['to="slow"'], receiver: slow}
      - {matchers: ['to="strict"'], receiver: strict}
      - {matchers: ['to="flaky"'], receiver: flaky}
`,
    });
  });
  afterAll(async () => {
    await h?.stop();
    await hook?.stop();
  });
  beforeEach(() => hook.reset());
  /** When the timeout test's last failed attempt ended: the channel's breaker window counts it. */
  let lastTimeoutAtMs = 0;

  const fire = async (to: string) => {
    const r = await h.request('POST', '/api/v2/alerts', { body: [{ labels: { alertname: 'BridgeCheck', to, severity: 'P1' } }], token: INGEST });
    expect(r.status).toBe(200);
  };
  const incidentOf = async (to: string) => {
    const list = (await h.request('GET', '/v1/incidents', { token: READ })).body.incidents as Array<{ id: string; labels: Record<string, string> }>;
    const inc = list.find((i) => i.labels.to === to);
    return inc ? (await h.request('GET', `/v1/incidents/${inc.id}`, { token: READ })).body : undefined;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('a receiver that does not answer within timeout: the attempt fails, and is retried after 100 ms, then 200 ms (+ jitter)', async () => {
    hook.plan.push('hang', 'hang', 200);
    await fire('slow');
    const reqs = await eventually(() => (hook.at('/slow').length >= 3 ? hook.at('/slow') : undefined), 15_000, 'three attempts at /slow');
    const [a, b, c] = reqs.map((r) => r.receivedAtMs) as [number, number, number];
    lastTimeoutAtMs = b + 300;
    // timeout 300 ms + backoff; a few ms of slack for timer granularity
    expect(b - a).toBeGreaterThanOrEqual(300 + 100 - 15);
    expect(c - b).toBeGreaterThanOrEqual(300 + 200 - 15);
    expect(c - a).toBeLessThan(5_000);
    const inc = await eventually(async () => {
      const i = await incidentOf('slow');
      return i?.timeline.some((t: { kind: string }) => t.kind === 'notified') ? i : undefined;
    }, 10_000, 'the delivery on the timeline');
    expect(inc.timeline.filter((t: { kind: string }) => t.kind === 'notification_failed')).toEqual([]);
    await sleep(800);
    expect(hook.at('/slow')).toHaveLength(3);
    expect(new Set(reqs.map((r) => r.raw)).size).toBe(1); // the same payload each time
  });

  test('a 4xx is permanent, as in Alertmanager: one attempt, the failure on the incident timeline, no retries', async () => {
    hook.plan.push({ status: 404, body: 'no such hook\n' });
    await fire('strict');
    const inc = await eventually(async () => {
      const i = await incidentOf('strict');
      return i?.timeline.find((t: { kind: string }) => t.kind === 'notification_failed') ? i : undefined;
    }, 10_000, 'the failure on the timeline');
    const failed = inc.timeline.find((t: { kind: string }) => t.kind === 'notification_failed');
    expect(failed.message).toMatch(/^trigger to strict via webhook failed: webhook http:\/\/127\.0\.0\.1:\d+ answered 404: no such hook$/);
    await sleep(1_500); // spec backoff would have retried by now (100 + 200 + 400 ms)
    expect(hook.at('/strict')).toHaveLength(1);
  });

  test('five failures in 10 s open the webhook breaker: no more requests, /v1/channels says so, the audit log records it', async () => {
    // One breaker per channel (spec §3.2): the two timeouts above count too, until 10 s have passed.
    await sleep(Math.max(0, lastTimeoutAtMs + 10_100 - Date.now()));
    hook.fallback = 503;
    await fire('flaky');
    await eventually(async () => {
      const channels = (await h.request('GET', '/v1/channels', { token: READ })).body.channels as Array<{ channel: string; breaker: { state: string } }>;
      return channels.find((c) => c.channel === 'webhook')?.breaker.state === 'open' ? true : undefined;
    }, 15_000, 'the webhook breaker to open');
    expect(hook.at('/flaky')).toHaveLength(5);
    const channels = (await h.request('GET', '/v1/channels', { token: READ })).body.channels;
    expect(channels.find((c: { channel: string }) => c.channel === 'webhook')).toMatchObject({ configured: true, receivers: ['slow', 'strict', 'flaky'] });
    const audit = (await h.request('GET', '/v1/audit?limit=1000', { token: READ })).body.entries as Array<{ action: string; target: string; details: Record<string, unknown> }>;
    expect(audit.find((e) => e.action === 'breaker.open' && e.target === 'webhook')?.details).toMatchObject({ from: 'closed', reason: '5 failures in 10000 ms' });
    await sleep(1_500);
    expect(hook.at('/flaky')).toHaveLength(5); // held while open, not dropped and not hammering
    const inc = await incidentOf('flaky');
    expect(inc.timeline.filter((t: { kind: string }) => t.kind === 'notification_failed')).toEqual([]); // still queued
  });
});
