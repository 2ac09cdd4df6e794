import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

export const ALICE = 'alice-operate-token-0123456789';
export const BOB = 'bob-operate-token-0123456789ab';
export const READER = 'reader-read-token-0123456789';
export const PUSHER = 'pusher-ingest-token-012345678';

/**
 * A local restart endpoint (and exchange admin): records every POST /control/restart/<target> with
 * its Idempotency-Key in `calls`, and every other POST path in `others` (e.g. /trading/halt).
 */
export class RestartRecorder {
  readonly calls: Array<{ target: string; idempotencyKey: string; atMs: number }> = [];
  readonly others: Array<{ path: string; idempotencyKey: string }> = [];
  private constructor(readonly server: Server) {}

  static async start(): Promise<RestartRecorder> {
    let rec: RestartRecorder | undefined;
    const server = createServer((req, res) => {
      const m = /^\/control\/restart\/([^/?]+)/.exec(req.url ?? '');
      req.resume();
      req.on('end', () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        if (req.method === 'POST' && m) rec?.calls.push({ target: decodeURIComponent(m[1] as string), idempotencyKey: key, atMs: Date.now() });
        else if (req.method === 'POST') rec?.others.push({ path: req.url ?? '', idempotencyKey: key });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      });
    });
    rec = new RestartRecorder(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return rec;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  of(target: string) {
    return this.calls.filter((c) => c.target === target);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** ComponentDown on component_up == 0, and a restart that needs approval (`approval` is a YAML flow mapping). */
export function approvalRules(approval: string, extra = ''): string {
  return `groups:
  - name: down
    rules:
      - {alert: ComponentDown, expr: component_up == 0, labels: {severity: P2}, annotations: {summary: "{{ $labels.component }} is down"}}
remediations:
  - name: restart-critical
    on: {alert: ComponentDown}
    action: restart
    target: "{{ $labels.component }}"
    params: {driver: http, url: "/control/restart/{{target}}"}
    cooldown: 1m
    approval: ${approval}
${extra}`;
}

export const COMPONENTS = ['settlement', 'matching-engine', 'database', 'market-data', 'order-gateway', 'reporting', 'ledger', 'risk'];

export function approvalConfig(restartBaseUrl: string, extra = ''): string {
  return `components: [${COMPONENTS.map((c) => `{name: ${c}}`).join(', ')}]
auth:
  tokens:
    - {name: alice, token: ${ALICE}, scopes: [operate]}
    - {name: bob, token: ${BOB}, scopes: [operate]}
    - {name: reader, token: ${READER}, scopes: [read]}
    - {name: pusher, token: ${PUSHER}, scopes: [ingest]}
rules: [down.rules.yaml]
evaluation_interval: 200ms
remediation:
  settle: 0s
  executors:
    restart: {http_base_url: "${restartBaseUrl}"}
${extra}`;
}

export async function startApprovalWarden(recorder: RestartRecorder, approval = '{ttl: 10m, approvers: ["principal:alice", "slack:U0APPROVER"]}', extraConfig = ''): Promise<WardenHarness> {
  return startHarness({ config: approvalConfig(recorder.url, extraConfig), files: { 'down.rules.yaml': approvalRules(approval) } });
}

let lastTs = 0;
export async function setUp(h: WardenHarness, component: string, value: 0 | 1): Promise<void> {
  lastTs = Math.max(lastTs + 1, Date.now());
  const res = await h.push([{ name: 'component_up', labels: { component }, value, timestamp: lastTs }], PUSHER);
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}`);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    last = v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function jobOf(h: WardenHarness, target: string): Promise<any | undefined> {
  const res = await h.request('GET', '/v1/remediations', { token: READER });
  return (res.body.remediations as any[]).find((j) => j.target === target);
}

export async function auditOf(h: WardenHarness, filter: (e: any) => boolean): Promise<any[]> {
  const res = await h.request('GET', '/v1/audit?limit=1000', { token: READER });
  return (res.body.entries as any[]).filter(filter);
}

export async function stepsOf(h: WardenHarness, jobId: string): Promise<string[]> {
  return (await auditOf(h, (e) => e.details?.job_id === jobId && String(e.action).startsWith('remediation.'))).map((e) => String(e.action).slice('remediation.'.length));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
