import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SelfSignedCert } from './fake-pagerduty';

/**
 * A local HTTP(S) endpoint standing in for whatever an Alertmanager webhook points at (a ticketing
 * bridge, a chat-ops bot): records every request (raw body, headers, arrival time) and answers as
 * the test plans — a status code, or no answer at all ('hang') to run a sender into its timeout.
 */

export interface WebhookRequest {
  receivedAtMs: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as it arrived. */
  raw: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: any;
}

export type WebhookAnswer = number | 'hang' | { status: number; headers?: Record<string, string>; body?: string };

export class FakeWebhook {
  readonly requests: WebhookRequest[] = [];
  /** Answers for the next requests, in order; once used up, `fallback` answers. */
  readonly plan: WebhookAnswer[] = [];
  fallback: WebhookAnswer = 200;
  readonly #server: Server;
  readonly #protocol: 'http' | 'https';
  readonly #hanging = new Set<ServerResponse>();

  private constructor(cert?: SelfSignedCert) {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    this.#server = cert ? createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, handler) : createHttpServer(handler);
    this.#protocol = cert ? 'https' : 'http';
  }

  static async start(opts: { cert?: SelfSignedCert } = {}): Promise<FakeWebhook> {
    const fake = new FakeWebhook(opts.cert);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** http(s)://127.0.0.1:PORT + path */
  url(path = '/hook'): string {
    return `${this.#protocol}://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`;
  }

  /** Requests that arrived at `path`. */
  at(path: string): WebhookRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  reset(): void {
    this.requests.length = 0;
    this.plan.length = 0;
    this.fallback = 200;
  }

  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    this.requests.push({ receivedAtMs: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body });
    const answer = this.plan.shift() ?? this.fallback;
    if (answer === 'hang') {
      this.#hanging.add(res);
      res.once('close', () => this.#hanging.delete(res));
      return;
    }
    const a = typeof answer === 'number' ? { status: answer } : answer;
    res.writeHead(a.status, { 'content-type': 'text/plain', ...(a.headers ?? {}) });
    res.end(a.body ?? '');
  }
}
