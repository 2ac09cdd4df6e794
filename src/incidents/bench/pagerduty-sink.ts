import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface SinkEvent {
  /** performance.now() when the request body was complete. */
  readonly atPerfMs: number;
  readonly action: string;
  readonly dedupKey: string;
}

/**
 * The smallest PagerDuty Events API v2 endpoint that pdjs accepts: HTTPS (a self-signed
 * certificate made with the openssl CLI; point `tls_ca_file` at `caPem`), POST /v2/enqueue, 202.
 * For the page-latency benchmark, which runs from dist/ without the test fakes.
 */
export class PagerDutySink {
  readonly events: SinkEvent[] = [];
  readonly caPem: string;
  readonly #server: Server;
  #waiters: Array<() => void> = [];

  private constructor(certPem: string, keyPem: string) {
    this.caPem = certPem;
    this.#server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { event_action?: string; dedup_key?: string };
        this.events.push({ atPerfMs: performance.now(), action: body.event_action ?? '?', dedupKey: body.dedup_key ?? '' });
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key }));
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const w of waiters) w();
      });
    });
  }

  static async start(): Promise<PagerDutySink> {
    const dir = mkdtempSync(join(tmpdir(), 'warden-pd-sink-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const sink = new PagerDutySink(readFileSync(join(dir, 'cert.pem'), 'utf8'), readFileSync(join(dir, 'key.pem'), 'utf8'));
      await new Promise<void>((resolve) => sink.#server.listen(0, '127.0.0.1', resolve));
      return sink;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Resolves with the first event (from index `from` on) that matches. */
  async next(from: number, match: (e: SinkEvent) => boolean, timeoutMs = 10_000): Promise<SinkEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error('no matching PagerDuty event arrived');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
