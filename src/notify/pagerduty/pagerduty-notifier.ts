import { Agent } from 'node:https';
import { event as pagerDutyEvent } from '@pagerduty/pdjs';
import { PermanentError, TransientError, errorMessage } from '../../errors';
import type { Channel, DeliveryResult, Notification, Notifier } from '../notifier';
import { abortReason, attemptSignal } from '../request-signal';
import { buildPagerDutyEvent } from './pagerduty-event';

export interface PagerDutyNotifierOptions {
  receiver: string;
  /** Position among the receiver's configs of this channel (Notifier.index). */
  index?: number;
  routingKey: string;
  /** Events API base URL, https only (pdjs builds `https://${server}/v2/enqueue`). */
  url?: string;
  /** @defaultValue 10_000 */
  timeoutMs?: number;
  /**
   * Extra CA certificates (PEM) trusted for this endpoint only, through a dedicated https.Agent:
   * trusting a private relay or the test server's self-signed certificate without touching TLS
   * verification for the rest of the process.
   */
  caPem?: string;
  /**
   * pdjs re-sends a 429 three times by itself, waiting this long between tries; it cannot be
   * turned off, so keep the wait short and let Warden's queue own the real backoff (spec §3.1).
   * @defaultValue 200
   */
  rateLimitRetryMs?: number;
}

/** PagerDuty Events API v2 through the official client (@pagerduty/pdjs `event()`). */
export class PagerDutyNotifier implements Notifier {
  readonly channel: Channel = 'pagerduty';
  readonly receiver: string;
  readonly index: number;
  readonly #routingKey: string;
  readonly #server: string;
  readonly #timeoutMs: number;
  readonly #rateLimitRetryMs: number;
  readonly #agent: Agent | undefined;

  constructor(opts: PagerDutyNotifierOptions) {
    this.receiver = opts.receiver;
    this.index = opts.index ?? 0;
    this.#routingKey = opts.routingKey;
    this.#server = serverOf(opts.url ?? 'https://events.pagerduty.com');
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#rateLimitRetryMs = opts.rateLimitRetryMs ?? 200;
    this.#agent = opts.caPem === undefined ? undefined : new Agent({ ca: opts.caPem, keepAlive: true });
  }

  async send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = buildPagerDutyEvent(n, this.#routingKey);
    const response = await this.#post(body, signal);
    const data = (response.data ?? {}) as { status?: string; message?: string; dedup_key?: string; errors?: string[] };
    const status = response.status;
    if (status === 202 || status === 200) {
      return { channel: 'pagerduty', ref: data.dedup_key ?? body.dedup_key, detail: { status, message: data.message, action: body.event_action } };
    }
    const what = `PagerDuty answered ${status}: ${data.message ?? data.status ?? 'no message'}${data.errors ? ` (${data.errors.join('; ')})` : ''}`;
    // Alertmanager notify/util.go: PagerDuty 429 and 5xx are worth retrying; other 4xx are not.
    if (status === 429 || status >= 500) throw new TransientError(what);
    throw new PermanentError(what);
  }

  async #post(body: ReturnType<typeof buildPagerDutyEvent>, signal: AbortSignal): Promise<{ status: number; data: unknown }> {
    const attempt = attemptSignal(signal, this.#timeoutMs);
    try {
      // pdjs spreads these options into cross-fetch (node-fetch 2), which honours `agent` and `signal`.
      // requestTimeout 0: pdjs's own 30 s timer does nothing but linger; our signal is the timeout.
      const options = {
        server: this.#server,
        data: body as unknown as Parameters<typeof pagerDutyEvent>[0]['data'],
        signal: attempt,
        requestTimeout: 0,
        retryTimeout: this.#rateLimitRetryMs,
        ...(this.#agent ? { agent: this.#agent } : {}),
      } as Parameters<typeof pagerDutyEvent>[0];
      const response = await pagerDutyEvent(options);
      return { status: response.status, data: response.data };
    } catch (err) {
      if (attempt.aborted) {
        throw new TransientError(`PagerDuty request ${abortReason(signal, this.#timeoutMs)}`, { cause: err });
      }
      // Refused connections, resets, TLS failures, and bodies that are not JSON (a 5xx HTML page
      // from a proxy) all surface here from node-fetch: the endpoint is not answering properly.
      throw new TransientError(`PagerDuty unreachable: ${errorMessage(err)}`, { cause: err });
    }
  }
}

/** "https://host:port/" -> "host:port", the form pdjs's `server` option takes. */
function serverOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') throw new PermanentError(`PagerDuty url must be https (pdjs only speaks https): ${url}`);
  return parsed.host;
}
