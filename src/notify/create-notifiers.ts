import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../errors';
import type { ChannelBreakers } from './channel-breakers';
import { EmailNotifier } from './email/email-notifier';
import { GuardedNotifier } from './guarded-notifier';
import type { Notifier } from './notifier';
import type { NotifyMetrics } from './notify-metrics';
import { PagerDutyNotifier } from './pagerduty/pagerduty-notifier';
import type { ReceiverConfig } from '../config/receiver-schema';
import { SlackNotifier } from './slack/slack-notifier';
import { webhookEndpoint } from '../config/webhook-endpoint';
import { WebhookNotifier } from './webhook/webhook-notifier';

export interface CreateNotifiersOptions {
  /** When given, every notifier runs behind its channel's breaker (GuardedNotifier). */
  breakers?: ChannelBreakers;
  metrics?: NotifyMetrics;
  clock?: () => number;
  /** Named in errors about unreadable tls_ca_file paths. @defaultValue 'warden.yaml' */
  configFile?: string;
  /** The webhook payload's externalURL (alertmanager.external_url, or the URL Warden listens on). @defaultValue '' */
  externalUrl?: () => string;
}

/** Receiver name -> its notifiers, in config order (PagerDuty, then Slack, email and webhook configs). */
export function createNotifiers(receivers: readonly ReceiverConfig[], opts: CreateNotifiersOptions = {}): Map<string, Notifier[]> {
  const byReceiver = new Map<string, Notifier[]>();
  receivers.forEach((receiver, index) => {
    if (byReceiver.has(receiver.name)) {
      throw new ConfigError(`receiver '${receiver.name}' is defined twice`, { file: opts.configFile ?? 'warden.yaml', field: `notify.receivers[${index}].name` });
    }
    const notifiers = buildReceiver(receiver, `notify.receivers[${index}]`, opts).map((n) => guard(n, opts));
    byReceiver.set(receiver.name, notifiers);
  });
  return byReceiver;
}

function buildReceiver(r: ReceiverConfig, at: string, opts: CreateNotifiersOptions): Notifier[] {
  const caPem = (path: string | undefined, field: string) => (path === undefined ? {} : { caPem: readCa(path, field, opts) });
  return [
    ...r.pagerduty_configs.map((c, i) => new PagerDutyNotifier({
      receiver: r.name, index: i, routingKey: c.routing_key, url: c.url, timeoutMs: c.timeout,
      ...caPem(c.tls_ca_file, `${at}.pagerduty_configs[${i}].tls_ca_file`),
    })),
    ...r.slack_configs.map((c, i) => new SlackNotifier({ receiver: r.name, index: i, token: c.token, channel: c.channel, apiUrl: c.api_url, timeoutMs: c.timeout })),
    ...r.email_configs.map((c, i) => new EmailNotifier({
      receiver: r.name, index: i, to: c.to, from: c.from, smarthost: c.smarthost, requireTls: c.require_tls, timeoutMs: c.timeout,
      ...(c.auth_username !== undefined ? { authUsername: c.auth_username, authPassword: c.auth_password } : {}),
      ...caPem(c.tls_ca_file, `${at}.email_configs[${i}].tls_ca_file`),
    })),
    ...r.webhook_configs.map((c, i) => new WebhookNotifier({
      receiver: r.name, index: i, externalUrl: opts.externalUrl ?? (() => ''), ...(opts.clock ? { clock: opts.clock } : {}),
      // Resolved at load (parseConfig); a config parsed on its own reads its files relative to the working directory.
      endpoint: c.endpoint ?? webhookEndpoint(c, '.', (detail, path) => new ConfigError(detail, { file: opts.configFile ?? 'warden.yaml', field: `${at}.webhook_configs[${i}]${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}` })),
    })),
  ];
}

function guard(n: Notifier, opts: CreateNotifiersOptions): Notifier {
  const breaker = opts.breakers?.get(n.channel);
  if (!breaker) return n;
  return new GuardedNotifier(n, breaker, { ...(opts.metrics ? { metrics: opts.metrics } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
}

function readCa(path: string, field: string, opts: CreateNotifiersOptions): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read CA file ${path}: ${errorMessage(err)}`, { file: opts.configFile ?? 'warden.yaml', field });
  }
}
