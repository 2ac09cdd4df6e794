import type Redis from 'ioredis';
import { Budget } from '../../../src/remediate/budget';
import { Cooldown } from '../../../src/remediate/cooldown';
import { RemediationKeys } from '../../../src/remediate/remediation-keys';
import { TargetLease } from '../../../src/remediate/target-lease';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { sleep, uniquePrefix } from './support/pipeline-harness';

let redis: TestRedis;
let client: Redis;
let keys: RemediationKeys;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});
beforeEach(() => {
  keys = new RemediationKeys(uniquePrefix());
});
afterAll(async () => {
  await redis.stop();
});

describe('target lease (spec §5 fencing tokens)', () => {
  it('a second job waits while the lease is held, and gets it with a higher token once it expires', async () => {
    const lease = new TargetLease(client, keys);
    // The TTL is long enough that a descheduled CI runner still sees the lease held on the next call.
    const ttlMs = 3000;
    const a = await lease.acquire('db', 'job-a', ttlMs);
    expect(a).toMatchObject({ acquired: true });
    const blocked = await lease.acquire('db', 'job-b', ttlMs);
    expect(blocked).toMatchObject({ acquired: false, holder: `job-a|${(a as { fencingToken: number }).fencingToken}` });
    const retryInMs = (blocked as { retryInMs: number }).retryInMs;
    expect(retryInMs).toBeGreaterThan(0);
    expect(retryInMs).toBeLessThanOrEqual(ttlMs);
    // job-a's worker died: the lease expires rather than blocking the target forever.
    await sleep(retryInMs + 50);
    const b = await lease.acquire('db', 'job-b', ttlMs);
    expect(b).toMatchObject({ acquired: true });
    expect((b as { fencingToken: number }).fencingToken).toBeGreaterThan((a as { fencingToken: number }).fencingToken);
    // The stale holder cannot release what is no longer its lease.
    expect(await lease.release('db', 'job-a', (a as { fencingToken: number }).fencingToken)).toBe(false);
    expect(await lease.release('db', 'job-b', (b as { fencingToken: number }).fencingToken)).toBe(true);
  });

  it('the same job, recovered after a stall, takes its own lease over at once with a new token', async () => {
    const lease = new TargetLease(client, keys);
    const first = await lease.acquire('db', 'job-a', 60_000);
    const again = await lease.acquire('db', 'job-a', 60_000);
    expect(again).toMatchObject({ acquired: true });
    expect((again as { fencingToken: number }).fencingToken).toBe((first as { fencingToken: number }).fencingToken + 1);
  });

  it('leases are per target', async () => {
    const lease = new TargetLease(client, keys);
    await lease.acquire('db', 'job-a', 60_000);
    expect(await lease.acquire('disk', 'job-b', 60_000)).toMatchObject({ acquired: true });
  });
});

describe('budget (max_per_window)', () => {
  it('allows count actions per window, counts each job once, and frees up as the window slides', async () => {
    const budget = new Budget(client, keys);
    // Times are injected, but the key's PEXPIRE runs on Redis's clock: a minute-long window keeps it
    // alive however slowly the calls arrive.
    const limit = { count: 2, windowMs: 60_000 };
    expect(await budget.consume('r', 't', limit, 'j1', 100_000)).toEqual({ allowed: true, remaining: 1 });
    expect(await budget.consume('r', 't', limit, 'j1', 101_000)).toEqual({ allowed: true, remaining: 1 });
    expect(await budget.consume('r', 't', limit, 'j2', 102_000)).toEqual({ allowed: true, remaining: 0 });
    expect(await budget.consume('r', 't', limit, 'j3', 103_000)).toEqual({ allowed: false, remaining: 0, used: 2 });
    expect(await budget.remaining('r', 't', limit, 103_000)).toBe(0);
    expect(await budget.consume('r', 't', limit, 'j3', 160_500)).toEqual({ allowed: true, remaining: 0 });
    expect(await budget.remaining('r', 't', limit, 162_500)).toBe(1);
  });
});

describe('cooldown', () => {
  it('runs for its length after a success and remembers which job started it', async () => {
    const cooldown = new Cooldown(client, keys);
    expect(await cooldown.state('r', 't')).toEqual({ remainingMs: 0, startedBy: undefined });
    await cooldown.start('r', 't', 3000, 'job-1');
    const s = await cooldown.state('r', 't');
    expect(s.startedBy).toBe('job-1');
    expect(s.remainingMs).toBeGreaterThan(0);
    expect(s.remainingMs).toBeLessThanOrEqual(3000);
    await sleep(s.remainingMs + 50);
    expect((await cooldown.state('r', 't')).remainingMs).toBe(0);
  });

  it('a zero cooldown sets nothing', async () => {
    const cooldown = new Cooldown(client, keys);
    await cooldown.start('r', 't', 0, 'job-1');
    expect(await cooldown.state('r', 't')).toEqual({ remainingMs: 0, startedBy: undefined });
  });
});
