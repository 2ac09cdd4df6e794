import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, runCli, spawnCli } from '../../support/cli';
import { restartDownRules, restartRemediationConfig } from '../../support/remediation-rules';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startRestartRecorder, type RestartRecorder } from '../../support/restart-recorder';

/**
 * Issue 9: Warden killed -9 while Redis is unavailable (killed -9 with AOF on, or frozen with
 * SIGSTOP). The push that turned the exchange Red was answered 503 (not acknowledged), but what
 * Warden decided from it waited in its outboxes and their local journal: after Redis and Warden
 * are back (a new `warden start` child on the same config) the health event, the incident, the
 * remediation (a real restart request to a local recorder) and their audit entries exist exactly
 * once, with the times they were decided; the sender's retry of the 503'd push adds nothing.
 */
jest.setTimeout(180_000);

const RULES = restartDownRules({ url: '/control/restart/{{target}}', alertLabels: 'severity: P1, health: red' });

let recorder: RestartRecorder;
let recorderUrl: string;
let restarts: string[];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  recorder = await startRestartRecorder();
  ({ url: recorderUrl, restarts } = recorder);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await recorder.close();
});

interface Scenario {
  dir: string;
  redis: TestRedis;
  url: string;
}

async function startWardenChild(dir: string, redis: TestRedis): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await spawnCli(['start', '--config', join(dir, 'warden.yaml'), '--port', '0'], /listening on (http:\/\/[^\s"]+)/, { env: { REDIS_URL: redis.url }, timeoutMs: 60_000 });
  children.add(child);
  return { child, url: match[1] as string };
}

async function kill9(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await exited(child);
  children.delete(child);
}

async function get(url: string): Promise<any> {
  const res = await fetch(url);
  return res.json();
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function push(url: string, value: number, timestamp: number): Promise<Response> {
  const samples = [{ name: 'component_up', labels: { component: 'settlement' }, value, timestamp }];
  return fetch(`${url}/v1/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ samples }) });
}

/** Records of the journal files still waiting (each file's lines past its header, minus done marks). */
function journalRecords(dir: string): number {
  const jdir = join(dir, '.warden', 'journal');
  if (!existsSync(jdir)) return 0;
  let n = 0;
  for (const f of readdirSync(jdir)) {
    const lines = readFileSync(join(jdir, f), 'utf8').split('\n').filter((l) => l.startsWith('{"i":'));
    n += lines.length;
  }
  return n;
}

async function scenario(): Promise<Scenario & { child: ChildProcess }> {
  restarts.length = 0;
  const dir = mkdtempSync(join(tmpdir(), 'warden-kill9-outage-'));
  writeFileSync(join(dir, 'down.rules.yaml'), RULES);
  writeFileSync(join(dir, 'warden.yaml'), `components: [{name: settlement, critical: true}]\nlog_level: warn\n${restartRemediationConfig(recorderUrl)}`);
  const redis = await startRedis({ appendonly: true });
  const { child, url } = await startWardenChild(dir, redis);
  expect((await push(url, 1, Date.now())).status).toBe(200);
  await until('Green', async () => (await get(`${url}/v1/health`)).status === 'green');
  return { dir, redis, url, child };
}

/** After the restart: each decision once, at the time it was made while Redis was away. */
async function expectDecisionsOnce(url: string, firedBetween: readonly [number, number]): Promise<void> {
  const within = (ms: number) => ms >= firedBetween[0] && ms <= firedBetween[1];
  const incidents = await until('the incident', async () => {
    const list = (await get(`${url}/v1/incidents`)).incidents as Array<{ id: string; startedAt: string; severity: string }>;
    return list.length > 0 ? list : undefined;
  });
  expect(incidents).toHaveLength(1);
  expect(within(Date.parse(incidents[0]!.startedAt))).toBe(true);
  const events = (await get(`${url}/v1/health/events?limit=1000`)).events as Array<{ component: string | null; from: string; to: string; atMs: number }>;
  const down = events.filter((e) => e.component === 'settlement' && e.from === 'green' && e.to === 'red');
  expect(down).toHaveLength(1);
  expect(within(down[0]!.atMs)).toBe(true);
  const entries = await until('the remediation enqueued in the audit log', async () => {
    const list = (await get(`${url}/v1/audit?limit=1000`)).entries as Array<{ action: string; time: string; target: string }>;
    return list.some((e) => e.action === 'remediation.enqueued') ? list : undefined;
  });
  const of = (action: string) => entries.filter((e) => e.action === action);
  expect(of('incident.trigger')).toHaveLength(1);
  expect(of('incident.trigger')[0]!.target).toBe(`incident/${incidents[0]!.id}`);
  expect(within(Date.parse(of('incident.trigger')[0]!.time))).toBe(true);
  expect(of('remediation.matched')).toHaveLength(1);
  expect(within(Date.parse(of('remediation.matched')[0]!.time))).toBe(true);
  expect(of('remediation.enqueued')).toHaveLength(1);
}

describe.each([
  ['killed -9 (AOF on), restarted on the same port', 'kill'],
  ['frozen (SIGSTOP), then thawed', 'freeze'],
] as const)('Warden killed -9 while Redis is %s', (_name, fault) => {
  let s: Scenario & { child: ChildProcess };

  afterAll(async () => {
    for (const c of children) await kill9(c);
    s?.redis.thaw();
    await s?.redis.restart().catch(() => undefined);
    await s?.redis.stop();
    if (s) rmSync(s.dir, { recursive: true, force: true });
  });

  it('loses nothing it decided: after both restart the incident, health event, remediation and audit entries exist once, at their original times', async () => {
    s = await scenario();
    if (fault === 'kill') await s.redis.kill9();
    else s.redis.freeze();
    await until('/readyz 503', async () => (await fetch(`${s.url}/readyz`)).status === 503, 5_000);
    const before = Date.now();
    const timestamp = Date.now();
    const started = Date.now();
    const res = await push(s.url, 0, timestamp);
    const after = Date.now();
    // Not acknowledged: the sender is told to retry.
    expect(res.status).toBe(503);
    expect(after - started).toBeLessThan(2_000);
    expect((await get(`${s.url}/v1/health`)).status).toBe('red');
    // The decisions are on disk before Warden dies (written at once, not on a timer).
    await until('the journaled writes', async () => journalRecords(s.dir) >= 3, 5_000);
    await kill9(s.child);
    if (fault === 'kill') await s.redis.restart();
    else s.redis.thaw();

    const second = await startWardenChild(s.dir, s.redis);
    await expectDecisionsOnce(second.url, [before, after]);
    // The journal is emptied once its writes are made (the previous process's file is gone).
    await until('an empty journal', async () => journalRecords(s.dir) === 0, 10_000);
    // The restart waits for fresh data: Warden restored the alert, but does not act on a guess.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(restarts).toEqual([]);

    // The sender retries the push it got 503 for: accepted now; it confirms the alert (same
    // firing start) and the queued restart runs, once; nothing else is added.
    expect((await push(second.url, 0, timestamp)).status).toBe(200);
    await until('the restart request', async () => restarts.length > 0);
    const entries = await until('the remediation success', async () => {
      const list = (await get(`${second.url}/v1/audit?limit=1000`)).entries as Array<{ action: string }>;
      return list.some((e) => e.action === 'remediation.success') ? list : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await get(`${second.url}/v1/incidents`)).incidents).toHaveLength(1);
    for (const action of ['incident.trigger', 'remediation.matched', 'remediation.enqueued', 'remediation.success']) {
      expect({ action, n: entries.filter((e) => e.action === action).length }).toEqual({ action, n: 1 });
    }
    expect(restarts).toEqual(['/control/restart/settlement']);
    // The chain the replay appended to verifies (the real `warden audit verify` command).
    const verify = await runCli(['audit', 'verify', '--redis-url', s.redis.url, '--prefix', 'warden']);
    expect(verify).toMatchObject({ code: 0 });
  });
});
