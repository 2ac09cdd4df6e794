import { PassThrough } from 'node:stream';
import { AuditLog } from '../../../src/audit/audit-log';
import { startRedis, type TestRedis } from '../../support/redis-server';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

let n = 0;
const freshPrefix = () => `audit-test-${++n}`;

describe('AuditLog on a real redis-server', () => {
  test('entries get consecutive seqs, each chained to the previous hash', async () => {
    let t = Date.parse('2026-03-01T10:00:00Z');
    const log = new AuditLog({ redis: redis.client(), prefix: freshPrefix(), clock: () => (t += 1000) });
    const a = await log.append({ actor: 'warden', action: 'remediation.enqueued', target: 'matching', details: { rule: 'ServiceDownRestart' } });
    const b = await log.append({ actor: 'alice', action: 'trading.resumed', target: 'exchange' });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.prevHash).toBe('0'.repeat(64));
    expect(b.prevHash).toBe(a.hash);
    expect(a.time).toBe('2026-03-01T10:00:01.000Z');
    expect(b.details).toEqual({});
    expect(await log.verify()).toEqual({ ok: true, checked: 2 });
  });

  test('list returns entries after a seq, oldest first, at most limit', async () => {
    const log = new AuditLog({ redis: redis.client(), prefix: freshPrefix() });
    for (let i = 0; i < 7; i++) await log.append({ actor: 'warden', action: 'step', target: `t${i}` });
    expect((await log.list({ sinceSeq: 3, limit: 2 })).map((e) => e.seq)).toEqual([4, 5]);
    expect((await log.list({})).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await log.list({ sinceSeq: 7 })).toEqual([]);
  });

  test('editing a stored entry directly in Redis is detected at exactly that seq', async () => {
    const prefix = freshPrefix();
    const client = redis.client();
    const log = new AuditLog({ redis: client, prefix });
    for (let i = 1; i <= 5; i++) await log.append({ actor: 'warden', action: 'remediation.attempt', target: 'matching', details: { attempt: i } });
    const raw = (await client.lindex(`${prefix}:audit:log`, 2)) as string;
    const edited = raw.replace('"attempt":3', '"attempt":1');
    expect(edited).not.toBe(raw);
    await client.lset(`${prefix}:audit:log`, 2, edited);
    const r = await log.verify();
    expect(r).toMatchObject({ ok: false, checked: 2, firstBadSeq: 3 });
    expect(r.reason).toMatch(/content changed/);
  });

  test('a removed last entry is detected as truncation', async () => {
    const prefix = freshPrefix();
    const client = redis.client();
    const log = new AuditLog({ redis: client, prefix });
    for (let i = 1; i <= 3; i++) await log.append({ actor: 'warden', action: 'step', target: 'x' });
    await client.rpop(`${prefix}:audit:log`);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/missing/) });
  });

  test('two clients (two replicas) appending at once keep one unbroken chain', async () => {
    const prefix = freshPrefix();
    const replicaA = new AuditLog({ redis: redis.client(), prefix });
    const replicaB = new AuditLog({ redis: redis.client(), prefix });
    const perReplica = 150;
    await Promise.all([
      ...Array.from({ length: perReplica }, (_, i) => replicaA.append({ actor: 'warden-a', action: 'step', target: `a${i}` })),
      ...Array.from({ length: perReplica }, (_, i) => replicaB.append({ actor: 'warden-b', action: 'step', target: `b${i}` })),
    ]);
    const all = await replicaA.list({ limit: 1000 });
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 2 * perReplica }, (_, i) => i + 1));
    expect(new Set(all.map((e) => e.target)).size).toBe(2 * perReplica);
    expect(await replicaB.verify()).toEqual({ ok: true, checked: 2 * perReplica });
  });

  test('export writes one JSON line per entry', async () => {
    const log = new AuditLog({ redis: redis.client(), prefix: freshPrefix() });
    for (let i = 0; i < 1203; i++) await log.append({ actor: 'warden', action: 'step', target: `t${i}` });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    expect(await log.exportJsonl(out)).toBe(1203);
    const lines = Buffer.concat(chunks).toString().trim().split('\n');
    expect(lines).toHaveLength(1203);
    expect(JSON.parse(lines[1202] as string)).toMatchObject({ seq: 1203, target: 't1202' });
  });
});
