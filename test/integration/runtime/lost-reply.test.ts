import Redis from 'ioredis';
import { AuditLog } from '../../../src/audit/audit-log';
import { HealthTracker } from '../../../src/health/health-tracker';
import type { HealthSnapshot, HealthStatus } from '../../../src/health/health-types';
import { silentLogger } from '../../../src/telemetry/logger';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startLossyProxy, type LossyProxy } from '../../support/tcp-proxy';

/**
 * Issue 9: a write Redis executed but whose reply was lost with the connection is made again
 * (ioredis re-sends unanswered commands; the outboxes retry). It must not be stored twice.
 */
let redis: TestRedis;
let proxy: LossyProxy;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startLossyProxy(redis.port);
});
beforeEach(async () => {
  client = new Redis(`redis://127.0.0.1:${proxy.port}`, { maxRetriesPerRequest: 3 });
  await client.flushall();
});
afterEach(() => client.disconnect());
afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

function snapshot(status: HealthStatus, atMs: number): HealthSnapshot {
  return { status, reasons: [], components: [{ name: 'database', critical: true, status, reasons: [] }], evaluatedAtMs: atMs };
}

it('an incident audit entry whose reply was lost is in the chain once, and the chain verifies', async () => {
  const audit = new AuditLog({ redis: client, prefix: 't' });
  await audit.append({ actor: 'warden', action: 'warm.up', target: 'x' });
  proxy.loseNextReply();
  const written = audit.append({ actor: 'warden', action: 'incident.trigger', target: 'incident/1' }, { untilWritten: true });
  await proxy.lost();
  await written;
  const entries = await new AuditLog({ redis: redis.client(), prefix: 't' }).list({ limit: 10 });
  expect(entries.map((e) => e.action)).toEqual(['warm.up', 'incident.trigger']);
  expect(await audit.verify()).toEqual({ ok: true, checked: 2 });
});

it('health events whose reply was lost are in the stream once, with their original time', async () => {
  const tracker = new HealthTracker({ redis: client, prefix: 't', log: silentLogger() });
  await tracker.update(snapshot('yellow', 1_000)).persisted;
  proxy.loseNextReply();
  const red = tracker.update(snapshot('red', 2_000));
  await proxy.lost();
  await red.persisted;
  const events = await tracker.history();
  expect(events.map((e) => [e.component, e.from, e.to, e.atMs])).toEqual([
    ['database', 'green', 'yellow', 1_000],
    [null, 'green', 'yellow', 1_000],
    ['database', 'yellow', 'red', 2_000],
    [null, 'yellow', 'red', 2_000],
  ]);
  expect(JSON.parse((await redis.client().get(tracker.currentKey)) ?? '{}').status).toBe('red');
  await tracker.close();
});
