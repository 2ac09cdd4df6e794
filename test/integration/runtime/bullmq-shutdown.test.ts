import { spawn } from 'node:child_process';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { closeBullmq } from '../../../src/runtime/close-bullmq';
import { Channels } from '../incidents/incident-fixture';
import { startPipeline, sleep } from '../remediate/support/pipeline-harness';
import { freePort, startRedis, type TestRedis } from '../../support/redis-server';
import { startHarness } from '../../support/warden-harness';

// BullMQ re-emits a connection init that fails after close() as an 'error' nobody listens to:
// stopping a service while its queue/worker is still connecting used to crash the process
// ("Unhandled error. Connection is closed."). Each loop stops at a different point of that init.
const crashes: unknown[] = [];
const record = (e: unknown) => crashes.push(e);
beforeAll(() => {
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
});
afterAll(() => {
  process.off('unhandledRejection', record);
  process.off('uncaughtException', record);
});

describe('stopping right after starting never raises an unhandled Redis error', () => {
  it('incident service (delivery queue + worker), 30 start/stop cycles', async () => {
    const ch = await Channels.start();
    try {
      for (let i = 0; i < 30; i++) {
        const service = ch.service();
        await service.start();
        await sleep(i % 5);
        await service.stop();
      }
      await sleep(300);
      expect(crashes).toEqual([]);
    } finally {
      await ch.stop();
    }
  }, 60_000);

  it('remediation service (queue + worker), 30 start/stop cycles', async () => {
    const redis = await startRedis();
    try {
      for (let i = 0; i < 30; i++) {
        const p = await startPipeline(redis, { executors: new Map() });
        await sleep(i % 5);
        await p.service.stop();
      }
      await sleep(300);
      expect(crashes).toEqual([]);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});

describe('stopping after Redis went away', () => {
  it('a whole Warden stops within seconds instead of waiting on Redis forever', async () => {
    const redis = await startRedis();
    const h = await startHarness({ redis, config: 'simulator: { enabled: false }\n' });
    await redis.stop();
    const t0 = Date.now();
    await h.stop();
    expect(Date.now() - t0).toBeLessThan(10_000);
    await sleep(200);
    expect(crashes).toEqual([]);
  }, 30_000);

  it('a whole Warden stops within seconds when Redis is killed just as stop begins (clients still think it is up)', async () => {
    const redis = await startRedis();
    const h = await startHarness({ redis, config: 'simulator: { enabled: false }\n' });
    const killed = redis.stop();
    const t0 = Date.now();
    await Promise.all([h.stop(), killed]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(crashes).toEqual([]);
  }, 40_000);

  it('a whole Warden stops when Redis froze (accepts nothing, closes nothing) instead of waiting on it forever', async () => {
    const redis = await startRedis();
    const h = await startHarness({ redis, config: 'simulator: { enabled: false }\n' });
    redis.freeze();
    try {
      const t0 = Date.now();
      await h.stop();
      // Bounded by closeBullmq's PING check and the shutdown step limits, well inside the CLI's 20 s.
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(crashes).toEqual([]);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('closeBullmq: a Worker busy with a job is forced closed, in bounded time, when Redis has frozen', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    let jobStarted: () => void = () => undefined;
    const started = new Promise<void>((r) => (jobStarted = r));
    let release: () => void = () => undefined;
    const running = new Promise<void>((r) => (release = r));
    const worker = new Worker('q', async () => {
      jobStarted();
      await running;
    }, { connection: client });
    worker.on('error', () => undefined);
    try {
      await worker.waitUntilReady();
      await new Queue('q', { connection: client }).add('j', {});
      await started;
      redis.freeze();
      const t0 = Date.now();
      // A graceful close would wait for the job and then on Redis for ever.
      await expect(closeBullmq(worker, [client], { graceMs: 1_000 })).resolves.toBe('forced');
      // PING check (1 s), then dropped sockets fail what waits on them (2 s at most), plus room for a loaded runner.
      expect(Date.now() - t0).toBeLessThan(8_000);
      await until(() => client.status === 'end');
    } finally {
      release();
      await redis.stop();
    }
  }, 30_000);

  it('closeBullmq forces a ready worker closed and drops its client', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    const worker = new Worker('q', async () => undefined, { connection: client });
    worker.on('error', () => undefined);
    await worker.waitUntilReady();
    await redis.stop();
    await until(() => client.status !== 'ready');
    const t0 = Date.now();
    await expect(closeBullmq(worker, [client])).resolves.toBe('forced');
    expect(Date.now() - t0).toBeLessThan(5_000); // bounded, with room for a loaded runner
  }, 20_000);
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(25);
  expect(cond()).toBe(true);
}

describe('closeBullmq', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis.stop());

  it('closes a queue and quits the clients it was handed', async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue('q', { connection: client });
    queue.on('error', () => undefined);
    await expect(closeBullmq(queue, [client])).resolves.toBe('closed');
    await ended(client);
  });

  it('leaves the connection alone when Redis cannot be reached, and closes cleanly once it can', async () => {
    const port = await freePort();
    const client = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    const queue = new Queue('q', { connection: client });
    queue.on('error', () => undefined);
    const t0 = Date.now();
    await expect(closeBullmq(queue, [client], { readyWaitMs: 300 })).resolves.toBe('abandoned');
    expect(Date.now() - t0).toBeLessThan(5_000); // bounded, with room for a loaded runner
    expect(client.status).not.toBe('end');

    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      await expect(closeBullmq(queue, [client], { readyWaitMs: 10_000 })).resolves.toBe('closed');
      await ended(client);
    } finally {
      server.kill('SIGTERM');
    }
    await sleep(100);
    expect(crashes).toEqual([]);
  }, 20_000);
});

/** quit() resolves on Redis's OK; the socket's end follows. */
async function ended(client: Redis): Promise<void> {
  if (client.status !== 'end') await new Promise((resolve) => client.once('end', resolve));
  expect(client.status).toBe('end');
}
