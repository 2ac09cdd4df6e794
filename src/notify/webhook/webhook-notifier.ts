import { WARDEN_VERSION } from '../../build-info';
import { PermanentError, TransientError, errorMessage } from '../../errors';
import type { Channel, DeliveryResult, Notification, Notifier, Transition } from '../notifier';
import { abortReason, attemptSignal } from '../request-signal';
import type { WebhookEndpoint } from '../../config/webhook-config';
import { buildWebhookMessage, encodeWebhookMessage } from './webhook-payload';
import { postWebhook, webhookAgents, type WebhookAgents, type WebhookAnswer } from './webhook-post';

export interface WebhookNotifierOptions {
  receiver: string;
  /** Position among the receiver's webhook_configs. */
  index?: number;
  endpoint: WebhookEndpoint;
  /** The payload's externalURL; asked at send time (Warden knows the URL it listens on only once it listens). */
  externalUrl: () => string;
  clock?: () => number;
}

/**
 * Alertmanager's generic webhook (notify/webhook/webhook.go): the version 4 payload POSTed as JSON.
 * Retry decisions are Alertmanager's (2xx delivered, 5xx worth retrying, other 4xx permanent), with
 * one deliberate difference: 429 and 408 are retried, since the receiver asks for exactly that.
 */
export class WebhookNotifier implements Notifier {
  readonly channel: Channel = 'webhook';
  readonly receiver: string;
  readonly index: number;
  readonly #endpoint: WebhookEndpoint;
  readonly #externalUrl: () => string;
  readonly #clock: () => number;
  readonly #agents: WebhookAgents;
  /** Logs and timelines name the endpoint by origin only: a webhook path often carries a token. */
  readonly #where: string;

  constructor(opts: WebhookNotifierOptions) {
    this.receiver = opts.receiver;
    this.index = opts.index ?? 0;
    this.#endpoint = opts.endpoint;
    this.#externalUrl = opts.externalUrl;
    this.#clock = opts.clock ?? Date.now;
    this.#agents = webhookAgents(opts.endpoint.tls);
    this.#where = `webhook ${new URL(opts.endpoint.url).origin}`;
  }

  /** The payload has no acknowledgement; a resolution only with send_resolved (Alertmanager). */
  sends(transition: Transition): boolean {
    if (transition === 'acknowledge' || transition === 'remind') return false;
    return transition !== 'resolve' || this.#endpoint.sendResolved;
  }

  async send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const e = this.#endpoint;
    const message = buildWebhookMessage(n, { externalURL: this.#externalUrl(), maxAlerts: e.maxAlerts, sendResolved: e.sendResolved, nowMs: this.#clock() });
    if (message.alerts.length === 0) return { channel: 'webhook', detail: { skipped: 'no alert to send (send_resolved: false)' } };
    const attempt = attemptSignal(signal, e.timeoutMs);
    let answer: WebhookAnswer;
    try {
      answer = await postWebhook(e.url, encodeWebhookMessage(message), {
        headers: {
          'content-type': 'application/json',
          'user-agent': `Warden/${WARDEN_VERSION}`,
          ...(e.authorization !== undefined ? { authorization: e.authorization } : {}),
        },
        signal: attempt,
        agents: this.#agents,
        followRedirects: e.followRedirects,
      });
    } catch (err) {
      if (attempt.aborted) throw new TransientError(`${this.#where} request ${abortReason(signal, e.timeoutMs)}`, { cause: err });
      throw new TransientError(`${this.#where} unreachable: ${errorMessage(err)}`, { cause: err });
    }
    const status = answer.status;
    if (status >= 200 && status < 300) {
      return { channel: 'webhook', detail: { status, alerts: message.alerts.length, truncatedAlerts: message.truncatedAlerts } };
    }
    const what = `${this.#where} answered ${status}${describe(answer)}`;
    if (status >= 500 || status === 429 || status === 408) throw new TransientError(what);
    throw new PermanentError(what);
  }
}

/** ": <start of the body>" or " (redirect to ...)", printable and short. */
function describe(a: WebhookAnswer): string {
  if (a.location !== undefined) return ` (redirect not followed to ${safeOrigin(a.location)})`;
  // eslint-disable-next-line no-control-regex
  const text = a.bodyStart.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
  return text ? `: ${text}` : '';
}

function safeOrigin(location: string): string {
  try {
    return new URL(location).origin;
  } catch {
    return 'a relative location';
  }
}
