import { WebClient, ErrorCode, LogLevel, type ChatPostMessageArguments, type FetchFunction } from '@slack/web-api';
import { PermanentError, TransientError, errorMessage } from '../../errors';
import type { Channel, DeliveryResult, Notification, Notifier } from '../notifier';
import { abortReason, attemptSignal } from '../request-signal';
import { buildSlackMessage } from './slack-blocks';

export interface SlackNotifierOptions {
  receiver: string;
  /** Position among the receiver's configs of this channel (Notifier.index). */
  index?: number;
  token: string;
  /** Channel name (#alerts) or ID. */
  channel: string;
  /** @defaultValue 'https://slack.com/api/' */
  apiUrl?: string;
  /** @defaultValue 10_000 */
  timeoutMs?: number;
}

/** Platform errors that mean "Slack is having a moment", worth retrying; every other error code is permanent. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'rate_limited', 'fatal_error', 'internal_error', 'service_unavailable', 'request_timeout']);

/** Slack chat.postMessage with Block Kit through the official @slack/web-api WebClient. */
export class SlackNotifier implements Notifier {
  readonly channel: Channel = 'slack';
  readonly receiver: string;
  readonly index: number;
  readonly #opts: Required<Omit<SlackNotifierOptions, 'index'>>;

  constructor(opts: SlackNotifierOptions) {
    this.receiver = opts.receiver;
    this.index = opts.index ?? 0;
    this.#opts = { apiUrl: 'https://slack.com/api/', timeoutMs: 10_000, ...opts };
  }

  async send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const message = buildSlackMessage(n, this.#opts.channel);
    const attempt = attemptSignal(signal, this.#opts.timeoutMs);
    try {
      const result = await this.#client(attempt).chat.postMessage(message as unknown as ChatPostMessageArguments);
      const ts = result.ts as string;
      // The trigger's ts is the thread every later transition replies in; a reply returns the thread it joined.
      return { channel: 'slack', ref: message.thread_ts ?? ts, detail: { ts, channel: result.channel, thread_ts: message.thread_ts } };
    } catch (err) {
      throw classify(err, attempt.aborted ? abortReason(signal, this.#opts.timeoutMs) : undefined);
    }
  }

  /**
   * A client per attempt so the attempt's abort signal reaches fetch (WebClient has no per-call
   * signal). retries: 0 and rejectRateLimitedCalls: the retry policy stays in Warden's queue (spec §3.1).
   */
  #client(signal: AbortSignal): WebClient {
    const fetchWithSignal: FetchFunction = (url, init) => fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    return new WebClient(this.#opts.token, {
      slackApiUrl: this.#opts.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
      fetch: fetchWithSignal,
      allowAbsoluteUrls: false,
    });
  }
}

function classify(err: unknown, aborted: string | undefined): Error {
  if (aborted !== undefined) return new TransientError(`Slack request ${aborted}`, { cause: err });
  const code = (err as { code?: unknown }).code;
  if (code === ErrorCode.RateLimitedError) {
    const retryAfterSec = (err as { retryAfter?: number }).retryAfter;
    return new TransientError(`Slack rate_limited; Retry-After ${retryAfterSec} s`, { cause: err });
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = (err as { data?: { error?: string } }).data?.error ?? 'unknown_error';
    const what = `Slack chat.postMessage failed: ${slackError}`;
    return TRANSIENT_PLATFORM_ERRORS.has(slackError) ? new TransientError(what, { cause: err }) : new PermanentError(what, { cause: err });
  }
  if (code === ErrorCode.HTTPError) {
    const status = (err as { statusCode?: number }).statusCode ?? 0;
    const what = `Slack answered HTTP ${status}`;
    return status >= 500 || status === 408 ? new TransientError(what, { cause: err }) : new PermanentError(what, { cause: err });
  }
  // ErrorCode.RequestError: refused, reset, DNS; the request may not have reached Slack.
  return new TransientError(`Slack unreachable: ${errorMessage(err)}`, { cause: err });
}
