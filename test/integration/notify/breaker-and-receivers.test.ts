import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError, TransientError, isTransient } from '../../../src/errors';
import { channelStatuses, createChannelBreakers } from '../../../src/notify/channel-breakers';
import { isBreakerOpen, type BreakerStateChange } from '../../../src/notify/circuit-breaker';
import { createNotifiers } from '../../../src/notify/create-notifiers';
import { NotifyMetrics } from '../../../src/notify/notify-metrics';
import { receiverSchema } from '../../../src/config/receiver-schema';
import { FakePagerDuty } from '../../support/fake-pagerduty';
import { FakeSlack } from '../../support/fake-slack';
import { FakeSmtp } from '../../support/fake-smtp';
import { ROUTING_KEY, notification } from './notification-fixture';

describe('receivers from config, behind per-channel circuit breakers, against the local servers', () => {
  let pd: FakePagerDuty;
  let slack: FakeSlack;
  let smtp: FakeSmtp;
  let dir: string;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    [pd, slack, smtp] = await Promise.all([FakePagerDuty.start(), FakeSlack.start(), FakeSmtp.start()]);
    dir = mkdtempSync(join(tmpdir(), 'warden-notify-'));
    writeFileSync(join(dir, 'pd-ca.pem'), pd.cert.certPem);
    writeFileSync(join(dir, 'smtp-ca.pem'), smtp.cert!.certPem);
  });
  afterAll(async () => {
    await Promise.all([pd.stop(), slack.stop(), smtp.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function setup() {
    let nowMs = 1_000_000;
    const clock = { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
    const registry = new Registry();
    const metrics = new NotifyMetrics(registry);
    const changes: BreakerStateChange[] = [];
    const breakers = createChannelBreakers({ clock: clock.now, metrics, onStateChange: (c) => changes.push(c) });
    const receivers = [
      receiverSchema.parse({ name: 'oncall', pagerduty_configs: [{ routing_key: ROUTING_KEY, url: pd.url, timeout: '2s', tls_ca_file: join(dir, 'pd-ca.pem') }] }),
      receiverSchema.parse({
        name: 'team',
        slack_configs: [{ token: 'xoxb-test-token', channel: '#alerts', api_url: slack.apiUrl }],
        email_configs: [{ to: 'oncall@example.com', from: 'warden@example.com', smarthost: smtp.smarthost, tls_ca_file: join(dir, 'smtp-ca.pem') }],
      }),
    ];
    const notifiers = createNotifiers(receivers, { breakers, metrics, clock: clock.now });
    return { clock, registry, breakers, changes, notifiers };
  }

  async function gauge(registry: Registry, channel: string): Promise<number | undefined> {
    const metric = await registry.getSingleMetric('warden_notify_breaker_state')!.get();
    return metric.values.find((v) => v.labels['channel'] === channel)?.value;
  }

  beforeEach(() => {
    pd.events.length = 0;
    pd.mode = 'ok';
    slack.messages.length = 0;
    smtp.messages.length = 0;
  });

  it('each receiver gets its notifiers from config, and each reaches its server', async () => {
    const { notifiers, registry } = setup();
    expect([...notifiers.keys()]).toEqual(['oncall', 'team']);
    expect(notifiers.get('team')!.map((n) => n.channel)).toEqual(['slack', 'email']);
    await notifiers.get('oncall')![0]!.send(notification(), signal);
    for (const n of notifiers.get('team')!) await n.send(notification({ severity: 'P1', receiver: 'team' }), signal);
    expect([pd.accepted.length, slack.messages.length, smtp.messages.length]).toEqual([1, 1, 1]);
    const text = await registry.metrics();
    expect(text).toMatch(/warden_notifications_total\{channel="pagerduty",outcome="success"\} 1/);
    expect(text).toMatch(/warden_notification_duration_seconds_count\{channel="email"\} 1/);
  });

  it('5 PagerDuty failures open its breaker: the 6th page is refused without a request; Slack stays closed', async () => {
    const { notifiers, registry, breakers, changes, clock } = setup();
    const page = notifiers.get('oncall')![0]!;
    pd.mode = 'error-500';
    for (let i = 0; i < 5; i++) {
      await expect(page.send(notification(), signal)).rejects.toThrow(TransientError);
      clock.advance(1000);
    }
    expect(breakers.get('pagerduty')!.state).toBe('open');
    expect(await gauge(registry, 'pagerduty')).toBe(2);
    expect(await gauge(registry, 'slack')).toBe(0);
    const requestsBefore = pd.requests;
    const err = await page.send(notification(), signal).catch((e: unknown) => e);
    expect(isBreakerOpen(err) && isTransient(err)).toBe(true);
    expect(pd.requests).toBe(requestsBefore);
    expect(channelStatuses(breakers)[0]).toEqual({ channel: 'pagerduty', state: 'open', retryAfterMs: 29_000 });
    expect(changes).toEqual([expect.objectContaining({ name: 'pagerduty', from: 'closed', to: 'open' })]);
    expect(await registry.metrics()).toMatch(/warden_notifications_total\{channel="pagerduty",outcome="breaker_open"\} 1/);
  });

  it('30 s later the breaker is half-open; 3 delivered pages close it again', async () => {
    const { notifiers, registry, breakers, clock } = setup();
    const page = notifiers.get('oncall')![0]!;
    pd.mode = 'error-500';
    for (let i = 0; i < 5; i++) await page.send(notification(), signal).catch(() => undefined);
    pd.mode = 'ok';
    clock.advance(30_000);
    expect(breakers.get('pagerduty')!.state).toBe('half-open');
    expect(await gauge(registry, 'pagerduty')).toBe(1);
    expect(channelStatuses(breakers)).toEqual([
      { channel: 'pagerduty', state: 'half-open', retryAfterMs: 0 },
      { channel: 'slack', state: 'closed', retryAfterMs: 0 },
      { channel: 'email', state: 'closed', retryAfterMs: 0 },
      { channel: 'webhook', state: 'closed', retryAfterMs: 0 },
    ]);
    for (let i = 0; i < 3; i++) await page.send(notification(), signal);
    expect(breakers.get('pagerduty')!.state).toBe('closed');
    expect(await gauge(registry, 'pagerduty')).toBe(0);
    expect(pd.accepted).toHaveLength(3);
  });

  it('a receiver defined twice, or an unreadable CA file, is a ConfigError naming the field', () => {
    const r = receiverSchema.parse({ name: 'dup' });
    expect(() => createNotifiers([r, r])).toThrow(ConfigError);
    const missing = receiverSchema.parse({ name: 'x', pagerduty_configs: [{ routing_key: ROUTING_KEY, tls_ca_file: join(dir, 'nope.pem') }] });
    expect(() => createNotifiers([missing])).toThrow(/notify\.receivers\[0\]\.pagerduty_configs\[0\]\.tls_ca_file: cannot read CA file/);
  });
});
