import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createApp } from '../../../src/http/app';
import { Authenticator } from '../../../src/http/auth';
import { remediationRoutes } from '../../../src/http/routes/remediations';
import { silentLogger } from '../../../src/telemetry/logger';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { firing, rule, ScriptedExecutor, startPipeline, type Pipeline } from './support/pipeline-harness';

const READ = 'read-token-0123456789';
const OPERATE = 'operate-token-0123456789';

let redis: TestRedis;
let p: Pipeline;
let server: Server;
let base: string;

beforeAll(async () => {
  redis = await startRedis();
  p = await startPipeline(redis, { executors: new Map([['restart', new ScriptedExecutor('restart')]]), rules: [rule({ name: 'restart-down' }), rule({ name: 'halt', action: 'halt_trading', target: 'exchange', on: { alert: 'InvariantViolation' } })] });
  const auth = new Authenticator([
    { name: 'viewer', token: READ, scopes: ['read'] },
    { name: 'oncall', token: OPERATE, scopes: ['operate'] },
  ]);
  const app = createApp({ log: silentLogger(), registry: new Registry(), ready: () => ({ ready: true, checks: {} }), routers: [remediationRoutes({ auth, jobs: p.service.jobs })] });
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await p.service.stop();
  await redis.stop();
});

const call = (method: string, path: string, token?: string) =>
  fetch(`${base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

describe('remediations API', () => {
  it('lists jobs with state, attempts, result, rule, action, target and dry_run', async () => {
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1));
    await p.waitFinished(o!.jobId);
    const res = await call('GET', '/v1/remediations', READ);
    expect(res.status).toBe(200);
    expect(res.body.remediations).toEqual([
      expect.objectContaining({ id: o!.jobId, state: 'completed', attempts: 1, rule: 'restart-down', action: 'restart', target: 'settlement', dry_run: false, result: expect.objectContaining({ outcome: 'succeeded' }) }),
    ]);
  });

  it('shows one job, and 404 in the one error shape for an unknown id', async () => {
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'market-data' }, 2));
    await p.waitFinished(o!.jobId);
    expect((await call('GET', `/v1/remediations/${o!.jobId}`, READ)).body).toMatchObject({ id: o!.jobId, target: 'market-data' });
    expect(await call('GET', '/v1/remediations/nope', READ)).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'no remediation job "nope"' } } });
  });

  it('cancel needs the operate scope, and a finished job answers 409', async () => {
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'reporting' }, 3));
    await p.waitFinished(o!.jobId);
    expect((await call('POST', `/v1/remediations/${o!.jobId}/cancel`)).status).toBe(401);
    expect((await call('POST', `/v1/remediations/${o!.jobId}/cancel`, READ)).status).toBe(403);
    const res = await call('POST', `/v1/remediations/${o!.jobId}/cancel`, OPERATE);
    expect(res).toEqual({ status: 409, body: { error: { code: 'already_finished', message: expect.stringContaining('already completed') } } });
    expect((await call('POST', '/v1/remediations/nope/cancel', OPERATE)).status).toBe(404);
  });

  it('cancelling a job that has no executor configured yet waits: removed and audited with the operator as actor', async () => {
    // halt_trading has no executor in this pipeline; pausing the worker keeps the job waiting.
    await p.service.pauseWorker();
    try {
      const [o] = await p.service.onAlert(firing('InvariantViolation', { component: 'settlement' }, 4));
      const res = await call('POST', `/v1/remediations/${o!.jobId}/cancel`, OPERATE);
      expect(res).toEqual({ status: 200, body: { id: o!.jobId, status: 'cancelled', was: 'waiting' } });
      const entry = (await p.auditEntries()).find((e) => e.action === 'remediation.cancelled' && e.details.job_id === o!.jobId);
      expect(entry).toMatchObject({ actor: 'oncall', target: 'exchange' });
    } finally {
      p.service.resumeWorker();
    }
  });

  it('rejects a bad limit with the code and limits every /v1 list uses', async () => {
    expect(await call('GET', '/v1/remediations?limit=0', READ)).toEqual({ status: 400, body: { error: { code: 'invalid_query', field: 'limit', message: 'limit must be an integer from 1 to 1000' } } });
    expect((await call('GET', '/v1/remediations?limit=1000', READ)).status).toBe(200);
    expect((await call('GET', '/v1/remediations?limit=1001', READ)).status).toBe(400);
  });

  it('a cancel while Redis does not answer is 503 unavailable, not 202 "cancelling", and works once Redis answers', async () => {
    await p.service.pauseWorker();
    try {
      const [o] = await p.service.onAlert(firing('InvariantViolation', { component: 'clearing' }, 5));
      redis.freeze();
      let res: { status: number; body: any };
      const started = Date.now();
      try {
        res = await call('POST', `/v1/remediations/${o!.jobId}/cancel`, OPERATE);
      } finally {
        redis.thaw();
      }
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(res).toEqual({ status: 503, body: { error: { code: 'unavailable', message: expect.stringContaining('Redis did not answer') } } });
      const again = await call('POST', `/v1/remediations/${o!.jobId}/cancel`, OPERATE);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: o!.jobId, status: 'cancelled' });
    } finally {
      p.service.resumeWorker();
    }
  }, 20_000);
});
