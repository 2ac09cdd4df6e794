import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * A local PagerDuty Events API v2 endpoint: HTTPS with a self-signed certificate made at test
 * time (pdjs only builds https:// URLs), POST /v2/enqueue validated like PagerDuty does, every
 * event recorded, and switchable failure modes.
 */

export interface SelfSignedCert {
  certPem: string;
  keyPem: string;
}

/** A fresh EC certificate for 127.0.0.1 and localhost, through the openssl CLI. */
export function generateSelfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'warden-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReceivedPagerDutyEvent {
  receivedAtMs: number;
  /** performance.now() when the event was answered (benchmarks: sub-millisecond latency). */
  receivedAtPerfMs: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
  /** What the server answered. */
  status: number;
}

/** 'ok' answers normally; the others answer every request that way until changed. */
export type PagerDutyFailureMode = 'ok' | 'error-500' | 'rate-limit-429' | 'hang';

const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** The Events v2 rules PagerDuty enforces with 400 "Event object is invalid". */
export function validateEvent(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['Event must be a JSON object.'];
  const e = body as Record<string, any>;
  const errors: string[] = [];
  if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) errors.push("'routing_key' must be a 32 character integration key.");
  if (!ACTIONS.has(e.event_action)) errors.push("'event_action' must be one of trigger, acknowledge, resolve.");
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters.");
  if (e.event_action !== 'trigger' && typeof e.dedup_key !== 'string') errors.push("'dedup_key' is required for acknowledge and resolve.");
  if (e.event_action === 'trigger') errors.push(...validatePayload(e.payload));
  return errors;
}

function validatePayload(p: any): string[] {
  if (typeof p !== 'object' || p === null) return ["'payload' is required for trigger."];
  const errors: string[] = [];
  if (typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024) errors.push("'payload.summary' must be 1-1024 characters.");
  if (typeof p.source !== 'string' || p.source.length === 0) errors.push("'payload.source' is required.");
  if (!SEVERITIES.has(p.severity)) errors.push("'payload.severity' must be one of critical, error, warning, info.");
  if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp))) errors.push("'payload.timestamp' must be ISO 8601.");
  return errors;
}

export class FakePagerDuty {
  readonly events: ReceivedPagerDutyEvent[] = [];
  readonly cert: SelfSignedCert;
  mode: PagerDutyFailureMode = 'ok';
  /** Answers (and records) each request this much later, like a slow provider. */
  delayMs = 0;
  /** Requests seen in any mode, including failed ones. */
  requests = 0;
  readonly #server: Server;
  #waiters: Array<() => void> = [];

  private constructor(cert: SelfSignedCert) {
    this.cert = cert;
    this.#server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => void this.#handle(req, res));
  }

  static async start(cert: SelfSignedCert = generateSelfSignedCert()): Promise<FakePagerDuty> {
    const fake = new FakePagerDuty(cert);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** https://127.0.0.1:PORT — what Warden's `url` points at. */
  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Events that were accepted (202), in arrival order. */
  get accepted(): ReceivedPagerDutyEvent[] {
    return this.events.filter((e) => e.status === 202);
  }

  /** Resolves once `count` events were accepted. */
  async waitForAccepted(count: number, timeoutMs = 5000): Promise<ReceivedPagerDutyEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.accepted.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} PagerDuty events, got ${this.accepted.length}`);
      await new Promise<void>((resolve) => setTimeout(resolve, 10));
    }
    return this.accepted;
  }

  /** Resolves with the first event from index `from` on that matches, woken by each arrival. */
  async waitFor(match: (e: ReceivedPagerDutyEvent) => boolean, from = 0, timeoutMs = 10_000): Promise<ReceivedPagerDutyEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(match);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no matching PagerDuty event arrived');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
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

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    this.requests += 1;
    if (this.mode === 'hang') return; // never answer: the client's timeout must fire
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') return send(res, 404, { status: 'not found' });
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      return this.#answer(req, res, {}, 400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Body is not valid JSON.'] });
    }
    if (this.mode === 'error-500') return this.#answer(req, res, body, 500, undefined);
    if (this.mode === 'rate-limit-429') return this.#answer(req, res, body, 429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' });
    const errors = validateEvent(body);
    if (errors.length > 0) return this.#answer(req, res, body, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
    const dedupKey = typeof body.dedup_key === 'string' ? body.dedup_key : `srv-${this.events.length}`;
    this.#answer(req, res, body, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  #answer(req: IncomingMessage, res: ServerResponse, body: any, status: number, reply: object | undefined): void {
    this.events.push({ receivedAtMs: Date.now(), receivedAtPerfMs: performance.now(), headers: req.headers, body, status });
    if (reply === undefined) {
      // A 5xx as a proxy would send it: HTML, not JSON.
      res.writeHead(status, { 'content-type': 'text/html' }).end('<html><body>Internal Server Error</body></html>');
    } else {
      send(res, status, reply);
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

function send(res: ServerResponse, status: number, reply: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
