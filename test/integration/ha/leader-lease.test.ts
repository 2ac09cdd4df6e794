import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { Cluster } from '../../../src/cluster/cluster';
import { clusterKeys } from '../../../src/cluster/cluster-keys';
import { EpisodeStarts } from '../../../src/cluster/episode-starts';
import { LeaderLease } from '../../../src/cluster/leader-lease';
import { silentLogger } from '../../../src/telemetry/logger';
import { startRedis, type TestRedis } from '../../support/redis-server';

// Issue 12 §1: one fenced leader among replicas, on a real redis-server (short TTLs keep it fast).
const TTL = 1000;
const RENEW = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
  return Date.now() - t0;
}

describe('leader lease on a real Redis', () => {
  let redis: TestRedis;
  const started: LeaderLease[] = [];
  let n = 0;
  const prefix = () => `lease-test-${++n}`;

  const lease = (client: Redis, p: string, replicaId: string) => {
    const l = new LeaderLease({ redis: client, prefix: p, replicaId, ttlMs: TTL, renewIntervalMs: RENEW, log: silentLogger() });
    started.push(l);
    return l;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((l) => l.stop().catch(() => undefined)));
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('elects exactly one leader with fencing token 1; the other is a follower', async () => {
    const p = prefix();
    const a = lease(redis.client(), p, 'a');
    const b = lease(redis.client(), p, 'b');
    await a.start();
    await b.start();
    await sleep(3 * RENEW);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(a.token()).toBe(1);
    expect(b.token()).toBeUndefined();
    expect(await redis.client().get(clusterKeys(p).lease)).toBe('a|1');
  });

  it('a clean stop hands over at once, with a strictly newer token', async () => {
    const p = prefix();
    const a = lease(redis.client(), p, 'a');
    const b = lease(redis.client(), p, 'b');
    await a.start();
    await b.start();
    await a.stop();
    const took = await until(() => b.isLeader(), 2 * RENEW + 100);
    expect(took).toBeLessThanOrEqual(2 * RENEW + 100);
    expect(b.token()).toBe(2);
    expect(a.isLeader()).toBe(false);
  });

  it('a leader that dies without releasing (connection gone) is replaced within TTL + 1 s', async () => {
    const p = prefix();
    const deadClient = redis.client();
    const a = lease(deadClient, p, 'a');
    const b = lease(redis.client(), p, 'b');
    await a.start();
    await b.start();
    const elected = new Promise<number>((r) => b.once('elected', r));
    // As kill -9 would: no release, no more renewals.
    deadClient.disconnect();
    const t0 = Date.now();
    const token = await elected;
    expect(Date.now() - t0).toBeLessThanOrEqual(TTL + 1000);
    expect(token).toBe(2);
  });

  it('a leader whose lease was taken over cannot renew it and steps down', async () => {
    const p = prefix();
    const client = redis.client();
    const a = lease(client, p, 'a');
    await a.start();
    // Someone else holds the lease with a newer token (as after a partition healed).
    await client.set(clusterKeys(p).lease, 'b|7', 'PX', TTL);
    const lost = new Promise<string>((r) => a.once('lost', r));
    await a.renewNow();
    expect(await lost).toMatch(/another replica holds the lease/);
    expect(a.isLeader()).toBe(false);
    expect(a.lostReason).toMatch(/another replica/);
    expect(await client.get(clusterKeys(p).lease)).toBe('b|7');
  });

  it('stops acting locally when Redis freezes, without waiting for Redis to answer', async () => {
    const own = await startRedis();
    try {
      const a = new LeaderLease({ redis: own.client(), prefix: prefix(), replicaId: 'a', ttlMs: TTL, renewIntervalMs: RENEW, log: silentLogger() });
      started.push(a);
      await a.start();
      expect(a.isLeader()).toBe(true);
      const lost = new Promise<string>((r) => a.once('lost', r));
      own.freeze();
      const t0 = Date.now();
      const reason = await lost;
      // The local deadline counts from the last renewal that was sent before the freeze.
      expect(Date.now() - t0).toBeLessThanOrEqual(TTL + 100);
      expect(reason).toMatch(/not renewed within 1000 ms/);
      expect(a.isLeader()).toBe(false);
      expect(a.token()).toBeUndefined();
      own.thaw();
    } finally {
      await own.stop();
    }
  });
});

describe('agreed episode starts', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('the first replica to see an episode sets its start; the others adopt it; a new episode agrees anew', async () => {
    const keys = clusterKeys('episodes');
    const a = new EpisodeStarts(redis.client(), keys, 60_000);
    const b = new EpisodeStarts(redis.client(), keys, 60_000);
    expect(await a.agree('incident', 'g1', 1000)).toBe(1000);
    expect(await b.agree('incident', 'g1', 1002)).toBe(1000);
    expect(b.known('incident', 'g1')).toBe(1000);
    await b.end('incident', 'g1');
    expect(await a.agree('incident', 'g1', 5000)).toBe(5000);
    expect(await b.agree('incident', 'g1', 4999)).toBe(5000);
  });
});

describe('cluster status (GET /v1/cluster body) and readiness', () => {
  let redis: TestRedis;
  const clusters: Cluster[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    await redis.stop();
  });

  it('lists both members with ISO heartbeats, one leader, its token and the Redis role; followers stay ready', async () => {
    const make = (replicaId: string) => {
      const registry = new Registry();
      const c = new Cluster({ redis: redis.client(), prefix: 'status', replicaId, leaseTtlMs: TTL, renewIntervalMs: RENEW, registry, log: silentLogger() });
      clusters.push(c);
      return { c, registry };
    };
    const a = make('replica-a');
    const b = make('replica-b');
    await a.c.start();
    await b.c.start();
    const s = await b.c.status();
    expect(s).toMatchObject({ replicaId: 'replica-b', leader: 'replica-a', isLeader: false, fencingToken: null, redisRole: 'master' });
    expect(s.members.map((m) => [m.replicaId, m.leader])).toEqual([['replica-a', true], ['replica-b', false]]);
    for (const m of s.members) expect(new Date(m.lastHeartbeat).toISOString()).toBe(m.lastHeartbeat);
    const sa = await a.c.status();
    expect(sa.fencingToken).toBe(1);
    expect(sa.leaseAgeMs).toBeGreaterThanOrEqual(0);
    expect(a.c.readiness()).toEqual({ ok: true });
    expect(b.c.readiness()).toEqual({ ok: true, reason: 'follower' });
    const metrics = async (r: Registry) => (await r.getSingleMetricAsString('warden_leader')) + (await r.getSingleMetricAsString('warden_cluster_members'));
    expect(await metrics(a.registry)).toMatch(/warden_leader 1[\s\S]*warden_cluster_members 2/);
    expect(await metrics(b.registry)).toMatch(/warden_leader 0/);
  });
});
