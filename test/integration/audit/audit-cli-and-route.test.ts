import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { AuditLog } from '../../../src/audit/audit-log';
import { Authenticator } from '../../../src/http/auth';
import { errorHandler, notFound } from '../../../src/http/error-handler';
import { auditRoutes } from '../../../src/http/routes/audit';
import { silentLogger } from '../../../src/telemetry/logger';
import { runAuditCli } from '../../support/audit-cli';
import { startRedis, type TestRedis } from '../../support/redis-server';

let redis: TestRedis;
let server: Server;
let base: string;
const prefix = 'cli-route';
const tmp = mkdtempSync(join(tmpdir(), 'warden-audit-'));

beforeAll(async () => {
  redis = await startRedis();
  const audit = new AuditLog({ redis: redis.client(), prefix });
  for (let i = 1; i <= 4; i++) await audit.append({ actor: 'warden', action: 'remediation.attempt', target: 'matching', details: { attempt: i } });
  const auth = new Authenticator([{ name: 'viewer', token: 'read-token', scopes: ['read'] }]);
  const app = express().use(auditRoutes({ auth, audit })).use(notFound).use(errorHandler(silentLogger()));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const runCli = (args: string[]) => runAuditCli(redis.url, prefix, args);

describe('GET /v1/audit', () => {
  const get = (q: string, token = 'read-token') => fetch(`${base}/v1/audit${q}`, { headers: { authorization: `Bearer ${token}` } });

  test('returns entries after `since`, at most `limit`, with the seq to continue from', async () => {
    const res = await get('?since=1&limit=2');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entries: Array<{ seq: number }>; next: number };
    expect(body.entries.map((e) => e.seq)).toEqual([2, 3]);
    expect(body.next).toBe(3);
  });

  test.each([['?since=-1'], ['?since=abc'], ['?limit=0'], ['?limit=100000'], ['?limit=1.5']])('bad query %s is a 400 with the error shape', async (q) => {
    const res = await get(q);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_query', field: expect.any(String) } });
  });

  test('without a token it is 401', async () => {
    expect((await get('', 'nope')).status).toBe(401);
  });
});

describe('warden audit verify / export', () => {
  test('an intact chain exits 0', async () => {
    const r = await runCli(['verify']);
    expect(r).toMatchObject({ code: 0, stdout: 'audit chain ok: 4 entries\n' });
  });

  test('export writes JSONL to a file', async () => {
    const file = join(tmp, 'audit.jsonl');
    const r = await runCli(['export', '--out', file]);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
  });

  test('a tampered entry exits 1 naming the first bad seq', async () => {
    const c = redis.client();
    const raw = (await c.lindex(`${prefix}:audit:log`, 1)) as string;
    await c.lset(`${prefix}:audit:log`, 1, raw.replace('"actor":"warden"', '"actor":"mallory"'));
    const r = await runCli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^chain broken at seq 2: /);
  });
});
