import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WARDEN_BIN, exited, spawnCli } from '../../support/cli';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { ALICE, PUSHER, READER, RestartRecorder, approvalConfig, approvalRules, sleep, waitFor } from './approval-fixture';

/**
 * Issue 13 "kill -9 between receiving an approval and acting: the job runs exactly once after
 * restart", with real Warden processes (`warden start`), a real Redis and the http restart driver
 * pointed at a local recorder of restart requests.
 */
let redis: TestRedis;
let recorder: RestartRecorder;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(WARDEN_BIN)) throw new Error('bin/warden.js is missing');
  redis = await startRedis();
  recorder = await RestartRecorder.start();
  dir = mkdtempSync(join(tmpdir(), 'warden-approval-kill-'));
  writeFileSync(join(dir, 'warden.yaml'), approvalConfig(recorder.url));
  writeFileSync(join(dir, 'down.rules.yaml'), approvalRules('{ttl: 10m, approvers: ["principal:alice"]}'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await recorder?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startWarden(): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await spawnCli(['start', '--config', join(dir, 'warden.yaml'), '--port', '0'], /listening on (http:\/\/[^\s"]+)/, { env: { REDIS_URL: redis.url }, timeoutMs: 30_000 });
  children.push(child);
  return { child, url: match[1] as string };
}

async function call(url: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

let ts = 0;
async function down(url: string, component: string): Promise<void> {
  ts = Math.max(ts + 1, Date.now());
  const r = await call(url, 'POST', '/v1/samples', PUSHER, { samples: [{ name: 'component_up', labels: { component }, value: 0, timestamp: ts }] });
  if (r.status !== 200) throw new Error(`push answered ${r.status}`);
}

async function job(url: string, target: string): Promise<any | undefined> {
  return ((await call(url, 'GET', '/v1/remediations', READER)).body.remediations as any[]).find((j) => j.target === target);
}

async function steps(url: string, jobId: string): Promise<string[]> {
  const entries = (await call(url, 'GET', '/v1/audit?limit=1000', READER)).body.entries as any[];
  return entries.filter((e) => e.details?.job_id === jobId && e.action.startsWith('remediation.')).map((e) => e.action.slice('remediation.'.length));
}

async function kill9(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await exited(child);
}

it('approved, then killed before acting (the target was leased): after restart it runs exactly once', async () => {
  const a = await startWarden();
  await down(a.url, 'settlement');
  const awaiting = await waitFor('awaiting approval', async () => ((await job(a.url, 'settlement'))?.state === 'awaiting_approval' ? job(a.url, 'settlement') : undefined));
  // Another action holds the target: the approved job will wait for the lease, not act.
  const lease = redis.client();
  await lease.set('warden:remediate:lease:settlement', 'someone-else|999999', 'PX', 120_000);
  expect((await call(a.url, 'POST', `/v1/remediations/${awaiting.id}/approve`, ALICE, { reason: 'go' })).status).toBe(200);
  await waitFor('the approved job waiting for the lease', async () => (await job(a.url, 'settlement'))?.state === 'delayed');
  await sleep(300);
  expect(recorder.of('settlement')).toEqual([]);
  await kill9(a.child);

  await lease.del('warden:remediate:lease:settlement');
  const b = await startWarden();
  try {
    await down(b.url, 'settlement'); // the alert still fires after the restart
    await waitFor('the restart after the restart', () => recorder.of('settlement').length >= 1, 90_000);
    await waitFor('completed', async () => (await job(b.url, 'settlement'))?.state === 'completed');
    await sleep(2_000);
    expect(recorder.of('settlement')).toEqual([expect.objectContaining({ idempotencyKey: awaiting.id })]);
    const s = await steps(b.url, awaiting.id);
    expect(s.filter((x) => x === 'approved')).toHaveLength(1);
    expect(s.filter((x) => x === 'success')).toHaveLength(1);
    expect(s.filter((x) => x === 'awaiting_approval')).toHaveLength(1);
  } finally {
    b.child.kill('SIGTERM');
    await exited(b.child);
  }
}, 180_000);

it('killed right after answering an approval: after restart it has run exactly once', async () => {
  const a = await startWarden();
  await down(a.url, 'database');
  const awaiting = await waitFor('awaiting approval', async () => ((await job(a.url, 'database'))?.state === 'awaiting_approval' ? job(a.url, 'database') : undefined));
  expect((await call(a.url, 'POST', `/v1/remediations/${awaiting.id}/approve`, ALICE)).status).toBe(200);
  await kill9(a.child);
  const acted = recorder.of('database').length; // 0 or 1: whatever the kill left
  const b = await startWarden();
  try {
    await down(b.url, 'database');
    // The killed Warden may have held the job (active): BullMQ hands it over once its lock lapses
    // and the stall check runs (30 s + 30 s, README "Stop"), so allow for that.
    await waitFor('completed', async () => (await job(b.url, 'database'))?.state === 'completed', 100_000);
    await sleep(2_000);
    expect(acted).toBeLessThanOrEqual(1);
    expect(recorder.of('database')).toEqual([expect.objectContaining({ idempotencyKey: awaiting.id })]);
    expect((await steps(b.url, awaiting.id)).filter((x) => x === 'success')).toHaveLength(1);
  } finally {
    b.child.kill('SIGTERM');
    await exited(b.child);
  }
}, 180_000);
