/**
 * The delivery contract (issue 5 §2). One `Notifier` per receiver and channel, like Alertmanager's
 * `notify.Notifier`; the incidents stage decides *what* to send and *when*, a notifier only delivers.
 *
 * `send` either resolves with what the channel gave back (a ref to thread later messages on) or
 * throws `TransientError` (worth retrying: network, timeout, 5xx, rate limits) or `PermanentError`
 * (retrying cannot help: 4xx, bad credentials, unknown channel) — Alertmanager's `notify/util.go`
 * retry decision, made per integration.
 */

export type Channel = 'pagerduty' | 'slack' | 'email' | 'webhook';
export const CHANNELS: readonly Channel[] = ['pagerduty', 'slack', 'email', 'webhook'];

/** `remind`: an acknowledged P0 still open after ack_reminder (issue 13); never sent to PagerDuty. */
export type Transition = 'trigger' | 'acknowledge' | 'resolve' | 'escalate' | 'repeat' | 'remind';
export type Severity = 'P0' | 'P1' | 'P2' | 'P3';
export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface NotificationAlert {
  name: string;
  labels: Record<string, string>;
  state: string;
  activeAtMs: number;
  /** Alertmanager's label-set fingerprint. */
  fingerprint?: string;
  annotations?: Record<string, string>;
  resolvedAtMs?: number;
  /** Where the alert came from (a Prometheus graph link, for alerts posted to /api/v2/alerts). */
  generatorURL?: string;
}

export interface Notification {
  /** Idempotency key: incident + transition + channel (+ seq). Also makes the email Message-ID stable. */
  key: string;
  incidentId: string;
  fingerprint: string;
  /** The incident's aggregation group (route path + grouping labels): the webhook payload's groupKey. */
  groupKey?: string;
  transition: Transition;
  severity: Severity;
  summary: string;
  status: IncidentStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The grouped alerts behind the incident, at most notify.max_alerts of them (firing first, newest first). */
  alerts: NotificationAlert[];
  /** How many alerts the notification is about; `alerts` lists the first of them (Alertmanager's webhook). */
  alertsTotal?: number;
  /** alertsTotal - alerts.length (Alertmanager's `truncatedAlerts`). */
  truncatedAlerts?: number;
  startedAtMs: number;
  acknowledgedBy?: string;
  /** Shown prominently, e.g. "PagerDuty unreachable" on the Slack/email fallback (issue 5 §4). */
  note?: string;
  escalationLevel?: number;
  /** Slack: the trigger's `ts`; email: the trigger's Message-ID. What an earlier `send` returned as `ref`. */
  threadRef?: string;
  /** Receiver name from config. */
  receiver: string;
}

export interface DeliveryResult {
  channel: Channel;
  /** PagerDuty: dedup_key; Slack: message ts; email: Message-ID. Keep the trigger's as `threadRef`. */
  ref?: string;
  detail?: Record<string, unknown>;
}

export interface Notifier {
  readonly channel: Channel;
  readonly receiver: string;
  /**
   * Which of its receiver's configs of this channel it is (webhook_configs[1] is 1), so two configs
   * of one channel are two recipients. Absent (0) for the first.
   */
  readonly index?: number;
  /**
   * False for a transition this channel has no message for (a webhook with send_resolved: false and
   * a resolution; Alertmanager's payload has no acknowledgement): it is not queued. Absent: all.
   */
  sends?(transition: Transition): boolean;
  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}

/** "webhook", "webhook1": a notifier's channel and index, as recipient ids, job keys and thread keys name it. */
export function integrationName(n: Pick<Notifier, 'channel' | 'index'>): string {
  return n.index ? `${n.channel}${n.index}` : n.channel;
}
