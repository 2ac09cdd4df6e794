import { fingerprint as labelSetFingerprint } from '../../rules/fingerprint';
import type { Notification, NotificationAlert } from '../notifier';

/**
 * Alertmanager's webhook payload, version 4 (notify/webhook/webhook.go `Message`, template.Data and
 * template.Alert), built from a Warden notification. Pure: the notifier owns the transport.
 */

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Field order is Go's: the embedded template.Data first, then version, groupKey, truncatedAlerts. */
export interface WebhookMessage {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

export interface WebhookPayloadOptions {
  externalURL: string;
  /** 0: every alert the notification lists. */
  maxAlerts: number;
  sendResolved: boolean;
  /** endsAt of a resolved alert whose resolution time was not kept. */
  nowMs: number;
}

/** Go's zero time.Time, which Alertmanager shows as the endsAt of an alert still firing. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export function buildWebhookMessage(n: Notification, o: WebhookPayloadOptions): WebhookMessage {
  // Alertmanager drops resolved alerts for a config without send_resolved before truncating.
  const eligible = o.sendResolved ? n.alerts : n.alerts.filter((a) => a.state === 'firing');
  const shown = o.maxAlerts > 0 ? eligible.slice(0, o.maxAlerts) : eligible;
  // Alerts past notify.max_alerts were never listed in the notification: they are truncated too.
  const unlisted = Math.max(0, (n.alertsTotal ?? n.alerts.length) - n.alerts.length);
  const alerts = shown.map((a) => webhookAlert(a, o.nowMs));
  return {
    receiver: quoteMeta(n.receiver),
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: sortedKeys(n.labels),
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: o.externalURL,
    version: '4',
    groupKey: n.groupKey ?? n.fingerprint,
    truncatedAlerts: unlisted + (eligible.length - shown.length),
  };
}

function webhookAlert(a: NotificationAlert, nowMs: number): WebhookAlert {
  const firing = a.state === 'firing';
  return {
    status: firing ? 'firing' : 'resolved',
    labels: sortedKeys(a.labels),
    annotations: sortedKeys(a.annotations ?? {}),
    startsAt: goTime(a.activeAtMs),
    // types.Alerts(): the end of an alert still firing is not exposed.
    endsAt: firing ? GO_ZERO_TIME : goTime(a.resolvedAtMs ?? nowMs),
    generatorURL: a.generatorURL ?? '',
    fingerprint: a.fingerprint ?? labelSetFingerprint(a.labels),
  };
}

/** The label pairs every alert has with the same value (template.Data's CommonLabels). */
function common(sets: ReadonlyArray<Record<string, string>>): Record<string, string> {
  const [first, ...rest] = sets;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((s) => s[k] === v)) out[k] = v;
  return out;
}

/** Go's encoding/json writes map keys sorted; so do we, for a byte-identical payload. */
function sortedKeys(m: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k] as string;
  return out;
}

/** time.Time's JSON form (RFC 3339 with nanoseconds, trailing zeros dropped), in UTC. */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** regexp.QuoteMeta, which template.Data applies to the receiver name. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * The body as Go's json.Encoder writes it: HTML-safe escapes for < > & and U+2028/U+2029, and a
 * trailing newline. Receivers that hash or sign the raw body see what Alertmanager would send.
 */
export function encodeWebhookMessage(m: WebhookMessage): string {
  return JSON.stringify(m).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
