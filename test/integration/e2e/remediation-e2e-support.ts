import type { RemediationJobView } from '../../../src/remediate/remediation-jobs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorHandle } from '../../../src/sim/start-simulator';
import type { WardenHarness } from '../../support/warden-harness';

/**
 * Helpers for the issue 4 "Done when" tests: each spec §11.2/§8.2 case through a real Warden,
 * observed only through its HTTP API (GET /v1/audit, /v1/remediations, /v1/health, ...).
 */

/** The three critical components of the default warden.yaml (spec §11.1). */
const CRITICAL = new Set(['matching-engine', 'settlement', 'database']);

/** Polls until `probe` returns something other than undefined/false; fails naming what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    last = v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface AuditEntryBody {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, any>;
}

/** Every audit entry, oldest first, paged through GET /v1/audit?since=&limit=. */
export async function auditEntries(h: WardenHarness, token?: string): Promise<AuditEntryBody[]> {
  const out: AuditEntryBody[] = [];
  let since = 0;
  for (;;) {
    const res = await h.request('GET', `/v1/audit?since=${since}&limit=1000`, { token });
    if (res.status !== 200) throw new Error(`GET /v1/audit answered ${res.status}: ${JSON.stringify(res.body)}`);
    const entries = res.body.entries as AuditEntryBody[];
    out.push(...entries);
    if (entries.length < 1000) return out;
    since = res.body.next;
  }
}

/** The remediation steps audited for one job, in order (e.g. ["matched", "enqueued", "attempt", ...]). */
export function stepsOf(entries: readonly AuditEntryBody[], jobId: string): string[] {
  return entries.filter((e) => e.action.startsWith('remediation.') && e.details.job_id === jobId).map((e) => e.action.slice('remediation.'.length));
}

/** A job as GET /v1/remediations shows it: the API's own type. */
export type JobBody = RemediationJobView;

export async function remediations(h: WardenHarness, token?: string): Promise<JobBody[]> {
  const res = await h.request('GET', '/v1/remediations', { token });
  if (res.status !== 200) throw new Error(`GET /v1/remediations answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.remediations as JobBody[];
}

/** Waits for a finished job of `rule` on `target` (completed or failed) and returns it. */
export function finishedJob(h: WardenHarness, rule: string, target: string, timeoutMs = 20_000, token?: string): Promise<JobBody> {
  return waitFor(`a finished ${rule} job for ${target}`, async () => (await remediations(h, token)).find((j) => j.rule === rule && j.target === target && (j.state === 'completed' || j.state === 'failed')), timeoutMs);
}

export async function healthOf(h: WardenHarness, token?: string): Promise<{ status: string; components: Array<{ name: string; status: string }> }> {
  return (await h.request('GET', '/v1/health', { token })).body;
}

/** warden.yaml `components:` and `scrape:` for a simulator on its own ports, probed and scraped fast. */
export function simulatorSections(sim: SimulatorHandle, o: { probeInterval: string; scrapeInterval: string }): string {
  const components = sim.components.map((c) => `  - {name: ${c.name}, critical: ${CRITICAL.has(c.name)}, probe: {url: "${c.healthUrl}", interval: ${o.probeInterval}, timeout: 1s, failure_threshold: 3}}`);
  const scrape = sim.components.map((c) => `  - {job: ${c.name}, url: "${c.metricsUrl}", interval: ${o.scrapeInterval}, timeout: ${o.scrapeInterval}}`);
  return `components:\n${components.join('\n')}\nscrape:\n${scrape.join('\n')}\n`;
}

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: string;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * An HTTP server that records every request and forwards it to `upstream` (the simulator's exchange
 * admin), so a test sees both the real effect and exactly how many requests reached the exchange.
 */
export async function recordingProxy(upstream: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = req.headers['idempotency-key'];
      requests.push({ method: req.method ?? '', path: req.url ?? '', idempotencyKey: typeof key === 'string' ? key : undefined, body });
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'idempotency-key']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name] as string;
      fetch(upstream + (req.url ?? '/'), { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body })
        .then(async (up) => res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(await up.text()))
        .catch((err: Error) => res.writeHead(502).end(JSON.stringify({ error: { message: err.message } })));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Pushes samples on an interval (a tiny exporter), until stopped; errors fail the next waitFor loudly. */
export function pushEvery(h: WardenHarness, intervalMs: number, samples: () => Promise<Array<{ name: string; labels?: Record<string, string>; value: number }>>, token?: string): { stop(): Promise<void>; errors: string[] } {
  const errors: string[] = [];
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      const res = await h.push((await samples()).map((s) => ({ ...s, timestamp: Date.now() })), token);
      if (res.status !== 200) errors.push(`push answered ${res.status}: ${JSON.stringify(res.body)}`);
    } catch (err) {
      errors.push((err as Error).message);
    }
  };
  const timer = setInterval(() => {
    if (!stopped) running = running.then(tick);
  }, intervalMs);
  running = tick();
  return {
    errors,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
