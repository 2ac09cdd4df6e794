import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditLog } from '../../../src/audit/audit-log';
import { HaltTradingExecutor } from '../../../src/remediate/executors/halt-trading';
import { TradingState } from '../../../src/remediate/trading-state';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { firing, rule, sleep, startPipeline, uniquePrefix, type Pipeline } from './support/pipeline-harness';

/** The exchange's admin endpoint: fails the first `failFirst` halts with 503, applies a key once. */
function exchangeAdmin(failFirst: number) {
  const requests: Array<{ key: string; body: unknown }> = [];
  const applied = new Set<string>();
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      requests.push({ key, body: JSON.parse(text || '{}') });
      if (requests.length <= failFirst) {
        res.writeHead(503).end('{"error":"busy"}');
        return;
      }
      applied.add(key);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"state":"halted"}');
    });
  });
  return { server, requests, applied };
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('halt_trading end to end through the job pipeline (spec §8.2, §9.1)', () => {
  it('exactly one halt reaches the exchange per firing, however many retries, re-fires and replicas', async () => {
    const admin = exchangeAdmin(2);
    await new Promise<void>((r) => admin.server.listen(0, '127.0.0.1', r));
    const adminUrl = `http://127.0.0.1:${(admin.server.address() as AddressInfo).port}`;
    const prefix = uniquePrefix();
    const tradingFor = () => new TradingState({ redis: redis.client(), prefix, audit: new AuditLog({ redis: redis.client(), prefix }), adminUrl });
    const rules = [rule({ name: 'halt-on-violation', on: { alert: 'DataIntegrityViolation' }, action: 'halt_trading', target: 'exchange', cooldown: '1h' })];
    const pipelines: Pipeline[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const trading = tradingFor();
        pipelines.push(await startPipeline(redis, { prefix, rules, executors: new Map([['halt_trading', new HaltTradingExecutor({ adminUrl, trading })]]) }));
      }
      const [a, b] = pipelines as [Pipeline, Pipeline];
      const t = firing('DataIntegrityViolation', { component: 'settlement' }, 1_000);
      const outs = [...(await a.service.onAlert(t)), ...(await b.service.onAlert(t)), ...(await a.service.onAlert(t))];
      expect(outs.map((o) => o.enqueued)).toEqual([true, false, false]);
      const job = await a.waitFinished(outs[0]!.jobId);
      expect(job.result).toMatchObject({ outcome: 'succeeded', attempt: 3 });
      await sleep(300);

      expect(admin.requests).toHaveLength(3); // two 503s retried, then applied
      expect(new Set(admin.requests.map((r) => r.key))).toEqual(new Set([outs[0]!.jobId]));
      expect(admin.applied.size).toBe(1);
      expect(await tradingFor().get()).toMatchObject({ state: 'halted' });
      const steps = await a.stepsOf(outs[0]!.jobId);
      expect(steps.filter((s) => s === 'remediation.attempt')).toHaveLength(3);
      expect(steps.filter((s) => s === 'remediation.success')).toHaveLength(1);
    } finally {
      await Promise.all(pipelines.map((p) => p.service.stop()));
      await new Promise((r) => admin.server.close(r));
    }
  });
});
