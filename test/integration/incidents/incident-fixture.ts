import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { notifyConfigSchema, type NotifyConfig } from '../../../src/config/notify-schema';
import { parseConfig } from '../../../src/config/load-config';
import { IncidentService, type IncidentServiceOptions } from '../../../src/incidents/incident-service';
import { CircuitBreaker } from '../../../src/notify/circuit-breaker';
import { EmailNotifier } from '../../../src/notify/email/email-notifier';
import { GuardedNotifier } from '../../../src/notify/guarded-notifier';
import type { Channel, Notifier } from '../../../src/notify/notifier';
import { PagerDutyNotifier } from '../../../src/notify/pagerduty/pagerduty-notifier';
import { SlackNotifier } from '../../../src/notify/slack/slack-notifier';
import type { AlertTransition } from '../../../src/rules/alert';
import { silentLogger } from '../../../src/telemetry/logger';
import { FakePagerDuty } from '../../support/fake-pagerduty';
import { FakeSlack } from '../../support/fake-slack';
import { FakeSmtp } from '../../support/fake-smtp';
import { startRedis, type TestRedis } from '../../support/redis-server';

export const ROUTING_KEY = 'R'.repeat(32);

/** Real redis-server and the three channels' local servers, reached through the official clients. */
export class Channels {
  readonly breakers = new Map<Channel, CircuitBreaker>();
  private constructor(readonly redis: TestRedis, readonly pd: FakePagerDuty, readonly slack: FakeSlack, readonly smtp: FakeSmtp, readonly clock: { now: number }) {}

  static async start(): Promise<Channels> {
    const clock = { now: Date.parse('2026-01-05T10:00:00Z') };
    const [redis, pd, slack, smtp] = await Promise.all([startRedis(), FakePagerDuty.start(), FakeSlack.start(), FakeSmtp.start()]);
    return new Channels(redis, pd, slack, smtp, clock);
  }

  /** One receiver with all three channels (and optionally more receivers with only some). */
  notifiers(receivers: Array<{ name: string; channels: Channel[] }> = [{ name: 'oncall', channels: ['pagerduty', 'slack', 'email'] }]): Notifier[] {
    const out: Notifier[] = [];
    for (const r of receivers) {
      for (const channel of r.channels) out.push(new GuardedNotifier(this.#inner(r.name, channel), this.breaker(channel), { clock: () => this.clock.now }));
    }
    return out;
  }

  breaker(channel: Channel): CircuitBreaker {
    let b = this.breakers.get(channel);
    if (!b) this.breakers.set(channel, (b = new CircuitBreaker({ name: channel, clock: () => this.clock.now })));
    return b;
  }

  #inner(receiver: string, channel: Channel): Notifier {
    if (channel === 'pagerduty') return new PagerDutyNotifier({ receiver, routingKey: ROUTING_KEY, url: this.pd.url, caPem: this.pd.cert.certPem, timeoutMs: 10_000 });
    if (channel === 'slack') return new SlackNotifier({ receiver, token: 'xoxb-test-token', channel: '#alerts', apiUrl: this.slack.apiUrl, timeoutMs: 10_000 });
    return new EmailNotifier({ receiver, to: `${receiver}@example.com`, from: 'warden@example.com', smarthost: this.smtp.smarthost, caPem: this.smtp.cert?.certPem, timeoutMs: 10_000 });
  }

  service(o: { notify?: NotifyConfig; notifiers?: Notifier[]; client?: Redis; registry?: Registry } & Partial<IncidentServiceOptions> = {}): IncidentService {
    return new IncidentService({
      redis: o.client ?? this.redis.client(),
      prefix: 'test',
      notify: o.notify ?? notifyConfigSchema.parse({}),
      notifiers: o.notifiers ?? this.notifiers(),
      log: silentLogger(),
      registry: o.registry ?? new Registry(),
      clock: () => this.clock.now,
      // Timers are driven by the test (service.tick()), with the injected clock.
      tickIntervalMs: 3_600_000,
      // Notifier timeouts and BullMQ's default 30 s lock stay far above a loaded runner's pauses, so a
      // slow send is neither timed out after the provider accepted it nor re-run as stalled.
      random: () => 0,
      ...o,
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.pd.stop(), this.slack.stop(), this.smtp.stop()]);
    await this.redis.stop();
  }
}

export function notifyConfig(yaml: string): NotifyConfig {
  return parseConfig('warden.yaml', yaml).notify;
}

let seq = 0;
/** An alert transition as the rule engine emits it. */
export function alert(name: string, labels: Record<string, string>, to: 'firing' | 'inactive', atMs: number, annotations: Record<string, string> = {}): AlertTransition {
  const all = { alertname: name, ...labels };
  const fingerprint = Object.entries(all).sort().map(([k, v]) => `${k}=${v}`).join(',');
  seq += 1;
  return {
    alert: { fingerprint, name, group: 'g', file: 'rules.yaml', labels: all, annotations, state: to, activeAtMs: atMs - 1000, value: seq },
    from: to === 'firing' ? 'pending' : 'firing',
    to,
    atMs,
  };
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until no delivery job is waiting, delayed or running (everything queued was delivered or failed). */
export async function drained(service: IncidentService, timeoutMs = 15_000): Promise<void> {
  await until(async () => {
    const c = await service.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).every((n) => n === 0);
  }, 'the delivery queue to drain', timeoutMs);
}
