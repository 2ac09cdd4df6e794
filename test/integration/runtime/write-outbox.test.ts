import { Writable } from 'node:stream';
import Redis from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { WriteOutbox } from '../../../src/runtime/write-outbox';
import { startRedis, type TestRedis } from '../../support/redis-server';

/** The outbox's promises while a real redis-server is killed -9 and restarted on the same port. */
let redis: TestRedis;
let client: Redis;
const lines: Array<Record<string, unknown>> = [];
const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));

beforeAll(async () => {
  redis = await startRedis({ appendonly: true });
  client = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  await client.ping();
});
afterAll(async () => {
  client?.disconnect();
  await redis?.restart().catch(() => undefined);
  await redis?.stop();
});

async function metric(registry: Registry, name: string): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values as Array<{ value: number; labels: Record<string, string> }> | undefined)?.find((v) => v.labels.outbox === 'test')?.value;
}

it('keeps writes in order while Redis is down, drops the oldest beyond maxDepth (logged, counted), and makes the rest once Redis is back', async () => {
  const registry = new Registry();
  const outbox = new WriteOutbox({ name: 'test', log, registry, maxDepth: 3 });
  await redis.kill9();
  const settled: string[] = [];
  const writes = ['a', 'b', 'c', 'd', 'e'].map((v) =>
    outbox.enqueue({ kind: `rpush ${v}`, write: () => client.rpush('order', v).then(() => undefined) }).then(() => settled.push(`${v} written`), () => settled.push(`${v} dropped`)));
  expect(outbox.depth).toBe(3);
  expect(await metric(registry, 'warden_outbox_depth')).toBe(3);
  expect(await metric(registry, 'warden_outbox_dropped_total')).toBe(2);
  expect(lines.filter((l) => l.msg === 'durable write outbox full: oldest queued write dropped (it will never reach Redis)').map((l) => l.kind)).toEqual(['rpush b', 'rpush c']);
  await redis.restart();
  outbox.wake();
  await Promise.all(writes);
  expect(settled.sort()).toEqual(['a written', 'b dropped', 'c dropped', 'd written', 'e written']);
  expect(await client.lrange('order', 0, -1)).toEqual(['a', 'd', 'e']);
  expect(await metric(registry, 'warden_outbox_depth')).toBe(0);
});

it('a SET of the whole state supersedes a queued one: only the newest is written', async () => {
  const outbox = new WriteOutbox({ name: 'test2', log });
  await redis.kill9();
  const first = outbox.enqueue({ kind: 'events', write: () => client.rpush('events', 'e1').then(() => undefined) });
  const older = outbox.enqueue({ kind: 'current', coalesceKey: 'current', write: () => client.set('current', 'old').then(() => undefined) });
  const newer = outbox.enqueue({ kind: 'current', coalesceKey: 'current', write: () => client.set('current', 'new').then(() => undefined) });
  expect(outbox.depth).toBe(2);
  await redis.restart();
  outbox.wake();
  await Promise.all([first, older, newer]);
  expect(await client.get('current')).toBe('new');
  expect(await client.lrange('events', 0, -1)).toEqual(['e1']);
});
