import { PassThrough } from 'node:stream';
import { sealEntry } from '../../../src/audit/audit-entry';
import { AuditLog } from '../../../src/audit/audit-log';
import { startRedis, type TestRedis } from '../../support/redis-server';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** How many script calls (EVALSHA/EVAL) the server has run, from INFO commandstats. */
async function scriptCalls(client: ReturnType<TestRedis['client']>): Promise<number> {
  const info = await client.info('commandstats');
  return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
}

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

  test('1,000 concurrent appends become 1,000 entries in call order with a valid chain', async () => {
    const log = new AuditLog({ redis: redis.client(), prefix: freshPrefix() });
    const entries = await Promise.all(Array.from({ length: 1000 }, (_, i) => log.append({ actor: 'warden', action: 'step', target: `t${i}`, details: { i } })));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const stored = await log.list({ limit: 1000 });
    expect(stored.map((e) => e.target)).toEqual(Array.from({ length: 1000 }, (_, i) => `t${i}`));
    expect(stored).toEqual(entries);
    expect(await log.verify()).toEqual({ ok: true, checked: 1000 });
  });

  test('a batch that lost the race to another replica is resealed on the new head, in order', async () => {
    const prefix = freshPrefix();
    const client = redis.client();
    const replicaA = new AuditLog({ redis: client, prefix });
    const replicaB = new AuditLog({ redis: redis.client(), prefix });
    await replicaA.append({ actor: 'warden-a', action: 'step', target: 'a0' }); // A now believes the head is seq 1
    await replicaB.append({ actor: 'warden-b', action: 'step', target: 'b0' });
    await replicaB.append({ actor: 'warden-b', action: 'step', target: 'b1' });
    const scriptCallsBefore = await scriptCalls(client);
    const batch = await Promise.all(['a1', 'a2', 'a3', 'a4', 'a5'].map((target) => replicaA.append({ actor: 'warden-a', action: 'step', target })));
    // One refused call on the stale head, one accepted on the head B left: no GET, no lost entry.
    expect((await scriptCalls(client)) - scriptCallsBefore).toBe(2);
    expect(batch.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(batch[0]?.prevHash).toBe((await replicaA.list({ sinceSeq: 2, limit: 1 }))[0]?.hash);
    expect((await replicaA.list({})).map((e) => e.target)).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'a3', 'a4', 'a5']);
    expect(await replicaA.verify()).toEqual({ ok: true, checked: 8 });
  });

  test('two replicas with 1,000 concurrent appends each keep one chain and each its own call order', async () => {
    const prefix = freshPrefix();
    const replicaA = new AuditLog({ redis: redis.client(), prefix });
    const replicaB = new AuditLog({ redis: redis.client(), prefix });
    const n = 1000;
    await Promise.all([
      ...Array.from({ length: n }, (_, i) => replicaA.append({ actor: 'warden-a', action: 'step', target: `a${i}` })),
      ...Array.from({ length: n }, (_, i) => replicaB.append({ actor: 'warden-b', action: 'step', target: `b${i}` })),
    ]);
    const all = [...(await replicaA.list({ limit: 1000 })), ...(await replicaA.list({ sinceSeq: 1000, limit: 1000 }))];
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
    expect(all.filter((e) => e.actor === 'warden-a').map((e) => e.target)).toEqual(Array.from({ length: n }, (_, i) => `a${i}`));
    expect(all.filter((e) => e.actor === 'warden-b').map((e) => e.target)).toEqual(Array.from({ length: n }, (_, i) => `b${i}`));
    expect(await replicaB.verify()).toEqual({ ok: true, checked: 2 * n });
  });

  test('details that cannot be stored reject only their own append', async () => {
    const log = new AuditLog({ redis: redis.client(), prefix: freshPrefix() });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const results = await Promise.allSettled([
      log.append({ actor: 'warden', action: 'step', target: 'ok1' }),
      log.append({ actor: 'warden', action: 'step', target: 'bad', details: circular }),
      log.append({ actor: 'warden', action: 'step', target: 'ok2' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await log.list({})).map((e) => [e.seq, e.target])).toEqual([[1, 'ok1'], [2, 'ok2']]);
  });

  test('a Redis error rejects the appends of that batch, and the next append re-reads the head', async () => {
    const prefix = freshPrefix();
    const client = redis.client();
    const log = new AuditLog({ redis: client, prefix });
    const first = await log.append({ actor: 'warden', action: 'step', target: 'first' });
    const headKey = `${prefix}:audit:head`;
    await client.del(headKey);
    await client.rpush(headKey, 'not a string'); // GET on a list fails inside the script
    await expect(log.append({ actor: 'warden', action: 'step', target: 'lost' })).rejects.toThrow(/WRONGTYPE/);
    await client.del(headKey);
    await client.set(headKey, `1:${first.hash}`);
    const next = await log.append({ actor: 'warden', action: 'step', target: 'second' });
    expect(next.seq).toBe(2);
    expect(await log.verify()).toEqual({ ok: true, checked: 2 });
  });

  test('a log written entry by entry (as before batching) is continued by the batching writer and still verifies', async () => {
    const prefix = freshPrefix();
    const client = redis.client();
    let prev = { seq: 0, hash: '0'.repeat(64) };
    for (const target of ['old1', 'old2']) {
      // What the single-entry writer stored: RPUSH of JSON.stringify(entry) and head "<seq>:<hash>".
      const e = sealEntry({ seq: prev.seq + 1, time: '2026-01-01T00:00:00.000Z', actor: 'warden', action: 'step', target, details: {}, prevHash: prev.hash });
      await client.rpush(`${prefix}:audit:log`, JSON.stringify(e));
      await client.set(`${prefix}:audit:head`, `${e.seq}:${e.hash}`);
      prev = e;
    }
    const log = new AuditLog({ redis: client, prefix });
    const added = await Promise.all(['new1', 'new2'].map((target) => log.append({ actor: 'warden', action: 'step', target })));
    expect(added.map((e) => e.seq)).toEqual([3, 4]);
    expect(added[0]?.prevHash).toBe(prev.hash);
    expect(await log.verify()).toEqual({ ok: true, checked: 4 });
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
