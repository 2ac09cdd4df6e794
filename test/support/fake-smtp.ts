import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { generateSelfSignedCert, type SelfSignedCert } from './fake-pagerduty';

/**
 * A real SMTP server (smtp-server) on a free port that parses every message with mailparser and
 * records it. Offers STARTTLS with a self-signed certificate unless `startTls: false`, checks
 * AUTH when `users` are given, and has failure modes answering like a real relay would.
 */

export interface ReceivedEmail {
  receivedAtMs: number;
  envelopeFrom: string | undefined;
  envelopeTo: string[];
  /** Whether the session was upgraded with STARTTLS. */
  secure: boolean;
  user: string | undefined;
  parsed: ParsedMail;
  raw: string;
}

/** 'temp-451' rejects DATA with 451 (try later); 'perm-550' rejects every RCPT with 550; 'hang' never answers DATA. */
export type SmtpFailureMode = 'ok' | 'temp-451' | 'perm-550' | 'hang';

export interface FakeSmtpOptions {
  startTls?: boolean;
  users?: Record<string, string>;
  cert?: SelfSignedCert;
}

export class FakeSmtp {
  readonly messages: ReceivedEmail[] = [];
  readonly cert: SelfSignedCert | undefined;
  mode: SmtpFailureMode = 'ok';
  /** Answers (and records) each request this much later, like a slow provider. */
  delayMs = 0;
  readonly #server: SMTPServer;

  private constructor(opts: FakeSmtpOptions) {
    const startTls = opts.startTls ?? true;
    this.cert = startTls ? (opts.cert ?? generateSelfSignedCert()) : undefined;
    const users = opts.users;
    this.#server = new SMTPServer({
      ...(this.cert ? { key: this.cert.keyPem, cert: this.cert.certPem } : { disabledCommands: ['STARTTLS'] }),
      authOptional: users === undefined,
      allowInsecureAuth: true,
      closeTimeout: 100,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (users !== undefined && auth.username !== undefined && users[auth.username] === auth.password) return callback(null, { user: auth.username });
        callback(smtpError('Authentication credentials invalid', 535));
      },
      onRcptTo: (_address, _session, callback) => {
        if (this.mode === 'perm-550') return callback(smtpError('Mailbox unavailable', 550));
        callback();
      },
      onData: (stream, session, callback) => void this.#receive(stream, session, callback),
    });
  }

  static async start(opts: FakeSmtpOptions = {}): Promise<FakeSmtp> {
    const fake = new FakeSmtp(opts);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** 127.0.0.1:PORT — Warden's `smarthost`. */
  get smarthost(): string {
    const address = (this.#server as unknown as { server: { address(): AddressInfo } }).server.address();
    return `127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #receive(stream: NodeJS.ReadableStream, session: SMTPServerSession, callback: (err?: Error | null) => void): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (this.mode === 'hang') return; // never answer: the client's socket timeout must fire
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.mode === 'temp-451') return callback(smtpError('Requested action aborted: try again later', 451));
    const raw = Buffer.concat(chunks).toString('utf8');
    this.messages.push({
      receivedAtMs: Date.now(),
      envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
      envelopeTo: session.envelope.rcptTo.map((r) => r.address),
      secure: session.secure,
      user: session.user as string | undefined,
      parsed: await simpleParser(raw),
      raw,
    });
    callback();
  }
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}
