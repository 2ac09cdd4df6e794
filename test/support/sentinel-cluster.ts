import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { eventually } from './estate-tools';
import { freePort } from './redis-server';

/**
 * A real Redis Sentinel deployment of the test's own: Debian's redis-server as primary and one
 * replica, three redis-sentinel processes (quorum 2) on free ports, failing over ~0.5 s after the
 * primary stops answering. Under CI=true a missing redis-sentinel is an error, not a skip.
 */
export interface SentinelCluster {
  readonly name: string;
  /** host:port of each sentinel, as redis.sentinels takes them. */
  readonly sentinels: string[];
  readonly url: string;
  /** The port of the node the sentinels call primary now. */
  primaryPort(): Promise<number>;
  /** kill -9 the current primary; resolves with its port. */
  killPrimary(): Promise<number>;
  /** Resolves once the sentinels name a primary other than `oldPort`, with its port. */
  promoted(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export function sentinelAvailable(): boolean {
  return spawnSync('redis-sentinel', ['--version'], { stdio: 'ignore' }).status === 0;
}

const NAME = 'wardenprimary';

export async function startSentinelCluster(): Promise<SentinelCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-sentinel-'));
  const procs = new Map<number, ChildProcess>();
  const clients: Redis[] = [];
  const startNode = async (port: number, replicaOf?: number) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`, '--appendonly', 'yes', '--appendfilename', `aof-${port}.aof`, '--appenddirname', `aof-${port}`, '--save', '', '--logfile', ''];
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    procs.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
    await until(`redis-server on ${port}`, async () => (await ping(port)) === 'PONG');
  };
  const primary = await freePort();
  const replica = await freePort();
  await startNode(primary);
  await startNode(replica, primary);
  await until('the replica in sync', async () => /master_link_status:up/.test(await info(replica, 'replication')));
  const sentinels: string[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor ${NAME} 127.0.0.1 ${primary} 2`,
      `sentinel down-after-milliseconds ${NAME} 500`,
      `sentinel failover-timeout ${NAME} 3000`,
      `sentinel parallel-syncs ${NAME} 1`, '',
    ].join('\n'));
    procs.set(port, spawn('redis-sentinel', [conf], { stdio: 'ignore' }));
    await until(`redis-sentinel on ${port}`, async () => (await ping(port)) === 'PONG');
    sentinels.push(`127.0.0.1:${port}`);
  }
  const sentinelPort = (s: string) => Number(s.split(':')[1]);
  const askPrimary = async (): Promise<number | undefined> => {
    for (const s of sentinels) {
      const c = new Redis({ port: sentinelPort(s), host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await c.connect();
        const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', NAME)) as string[] | null;
        if (addr) return Number(addr[1]);
      } catch {
        // this sentinel is not answering; ask the next
      } finally {
        c.disconnect();
      }
    }
    return undefined;
  };
  // Every sentinel knows the others and the replica before a test relies on a failover.
  await until('the sentinels to know each other and the replica', async () => {
    const c = new Redis({ port: sentinelPort(sentinels[0] as string), host: '127.0.0.1', maxRetriesPerRequest: 1 });
    clients.push(c);
    const m = (await c.call('SENTINEL', 'master', NAME)) as string[];
    const field = (k: string) => Number(m[m.indexOf(k) + 1]);
    return field('num-other-sentinels') === 2 && field('num-slaves') === 1;
  }, 20_000);
  const primaryPort = async () => {
    const p = await askPrimary();
    if (p === undefined) throw new Error('no sentinel names a primary');
    return p;
  };
  return {
    name: NAME,
    sentinels,
    url: `redis+sentinel://${sentinels.join(',')}/${NAME}`,
    primaryPort,
    async killPrimary() {
      const p = await primaryPort();
      const proc = procs.get(p);
      if (!proc) throw new Error(`primary ${p} is not one of the test's nodes`);
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await gone;
      return p;
    },
    promoted(oldPort, timeoutMs = 30_000) {
      return until('a promoted replica', async () => {
        const p = await askPrimary();
        return p !== undefined && p !== oldPort ? p : undefined;
      }, timeoutMs);
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await Promise.all([...procs.values()].map((p) => {
        if (p.exitCode !== null || p.signalCode !== null) return undefined;
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        return gone;
      }));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ping(port: number): Promise<string | undefined> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await c.connect();
    return await c.ping();
  } catch {
    return undefined;
  } finally {
    c.disconnect();
  }
}

async function info(port: number, section: string): Promise<string> {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    return await c.info(section);
  } finally {
    c.disconnect();
  }
}

/** `eventually` (estate-tools) for probes that answer false, or throw, while not yet. */
export function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  return eventually(async () => (await probe()) || undefined, timeoutMs, what);
}
