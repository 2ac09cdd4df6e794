import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { PermanentError, TransientError, errorMessage } from '../../errors';
import type { Channel, DeliveryResult, Notification, Notifier } from '../notifier';
import { buildEmail } from './email-message';

export interface EmailNotifierOptions {
  receiver: string;
  /** Position among the receiver's configs of this channel (Notifier.index). */
  index?: number;
  /** One address or several, comma-separated. */
  to: string;
  from: string;
  /** host:port of the SMTP relay; port 465 means implicit TLS, others STARTTLS when offered. */
  smarthost: string;
  authUsername?: string;
  authPassword?: string;
  /** Refuse to send unless the connection is upgraded with STARTTLS (Alertmanager's default). @defaultValue true */
  requireTls?: boolean;
  /** Connection, greeting and socket timeout. @defaultValue 10_000 */
  timeoutMs?: number;
  /** Extra CA certificates (PEM) trusted for this smarthost only. */
  caPem?: string;
}

/** Email over SMTP through nodemailer: one message per incident transition, threaded by Message-ID. */
export class EmailNotifier implements Notifier {
  readonly channel: Channel = 'email';
  readonly receiver: string;
  readonly index: number;
  readonly #opts: EmailNotifierOptions;
  readonly #transportOptions: SMTPTransport.Options;

  constructor(opts: EmailNotifierOptions) {
    this.receiver = opts.receiver;
    this.index = opts.index ?? 0;
    this.#opts = opts;
    const colon = opts.smarthost.lastIndexOf(':');
    const port = Number(opts.smarthost.slice(colon + 1));
    const timeoutMs = opts.timeoutMs ?? 10_000;
    this.#transportOptions = {
      host: opts.smarthost.slice(0, colon).replace(/^\[|\]$/g, ''),
      port,
      secure: port === 465,
      requireTLS: opts.requireTls ?? true,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      ...(opts.authUsername !== undefined ? { auth: { user: opts.authUsername, pass: opts.authPassword ?? '' } } : {}),
      ...(opts.caPem !== undefined ? { tls: { ca: opts.caPem } } : {}),
    };
  }

  async send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const email = buildEmail(n);
    // A transport per message: nodemailer has no abort signal, so closing it is how a caller's abort lands.
    const transport = nodemailer.createTransport(this.#transportOptions);
    const onAbort = () => transport.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const info = await transport.sendMail({
        from: this.#opts.from,
        to: this.#opts.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: email.messageId,
        ...(email.inReplyTo ? { inReplyTo: email.inReplyTo, references: email.references } : {}),
        headers: email.headers,
      });
      return { channel: 'email', ref: n.transition === 'trigger' ? email.messageId : n.threadRef ?? email.messageId, detail: { messageId: email.messageId, accepted: info.accepted, rejected: info.rejected, response: info.response } };
    } catch (err) {
      if (signal.aborted) throw new TransientError('SMTP send aborted by caller', { cause: err });
      throw classifySmtpError(err);
    } finally {
      signal.removeEventListener('abort', onAbort);
      transport.close();
    }
  }
}

/** Connection-level failures nodemailer reports without an SMTP reply code. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPROTOCOL']);

/**
 * SMTP says it itself: 4xx replies are temporary (451 try later), 5xx permanent (550 no such
 * mailbox, 535 bad credentials). Without a reply, a connection problem is transient; a failed
 * login or a relay that cannot do the required TLS is configuration, hence permanent.
 */
export function classifySmtpError(err: unknown): Error {
  const e = err as { responseCode?: number; code?: string; response?: string };
  const what = `SMTP send failed: ${e.response ?? errorMessage(err)}`;
  if (typeof e.responseCode === 'number') {
    return e.responseCode >= 400 && e.responseCode < 500 ? new TransientError(what, { cause: err }) : new PermanentError(what, { cause: err });
  }
  if (e.code === 'EAUTH' || e.code === 'ETLS' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new PermanentError(what, { cause: err });
  if (e.code !== undefined && TRANSIENT_CODES.has(e.code)) return new TransientError(what, { cause: err });
  // Unknown: retrying is bounded by the queue (spec §3.1), dropping a page is not recoverable.
  return new TransientError(what, { cause: err });
}
