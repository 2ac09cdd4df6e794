import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../errors';

/** `<data dir>/url`: the embedded server's address while it runs, for `warden audit` and operators. */
export const EMBEDDED_URL_FILE = 'url';

export interface EmbeddedRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** Thrown when neither REDIS_URL nor redis-server is available; main prints it and exits 2. */
export class RedisUnavailableError extends Error {
  constructor() {
    super('no Redis: install redis-server (apt-get install -y redis-server) or set REDIS_URL=redis://host:6379');
    this.name = 'RedisUnavailableError';
  }
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts redis-server from PATH for `npm start` without REDIS_URL: data under `<dir>` with AOF on,
 * so Warden's state (health, jobs, incidents, audit) survives restarts. A server left running by a
 * Warden that was killed with -9 is adopted rather than started twice on the same data directory.
 */
export async function startEmbeddedRedis(dir: string, log: Logger): Promise<EmbeddedRedis> {
  if (!redisServerAvailable()) throw new RedisUnavailableError();
  const dataDir = resolve(dir);
  mkdirSync(dataDir, { recursive: true });
  const stateFile = join(dataDir, 'embedded.json');
  const adopted = await adopt(stateFile);
  if (adopted) {
    log.warn({ url: adopted.url, pid: adopted.pid }, 'adopted embedded redis-server left by a previous run');
    publishUrl(dataDir, adopted.url, log);
    return handle(adopted.url, adopted.pid, undefined, stateFile);
  }
  const port = await freePort();
  // --hz 2: the server's housekeeping 2x a second instead of 10 (a quiet Redis: 0.22% -> 0.05% of a
  // core). Blocking-command timeouts are then up to 500 ms late, inside BullMQ's 1 s watchdog margin;
  // expiry on access and AOF writes before each reply do not depend on hz.
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--hz', '2', '--logfile', join(dataDir, 'redis.log'), '--protected-mode', 'yes'];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url, child);
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid, url }));
  log.info({ url, dir: dataDir }, 'started embedded redis-server (appendonly on)');
  publishUrl(dataDir, url, log);
  return handle(url, child.pid as number, child, stateFile);
}

/** Writes where the server listens to `<dir>/url`, so `warden audit verify` finds it with no flags. */
function publishUrl(dataDir: string, url: string, log: Logger): void {
  const file = join(dataDir, EMBEDDED_URL_FILE);
  writeFileSync(file, `${url}\n`);
  log.debug({ redisUrl: url, file }, 'embedded Redis address written');
}

function handle(url: string, pid: number, child: ChildProcess | undefined, stateFile: string): EmbeddedRedis {
  let stopped: Promise<void> | undefined;
  return {
    url,
    stop() {
      stopped ??= (async () => {
        const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
          await c.connect();
          await c.call('SHUTDOWN').catch(() => undefined); // the connection drops as the server exits
        } catch {
          if (isAlive(pid)) process.kill(pid, 'SIGTERM');
        } finally {
          c.disconnect();
        }
        if (child && child.exitCode === null) await new Promise((r) => child.once('exit', r));
        rmSync(stateFile, { force: true });
        rmSync(join(dirname(stateFile), EMBEDDED_URL_FILE), { force: true });
      })();
      return stopped;
    },
  };
}

/**
 * The server a previous run left on this data directory, if it still runs and answers. One that
 * runs but does not answer is an error, never a reason to start a second redis-server on the same
 * append-only file.
 */
async function adopt(stateFile: string): Promise<{ url: string; pid: number } | undefined> {
  if (!existsSync(stateFile)) return undefined;
  let state: { url: string; pid: number };
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string; pid: number };
    if (!Number.isInteger(state.pid) || typeof state.url !== 'string') return undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // torn by a crash mid-write: nothing to adopt
    throw err;
  }
  if (!isAlive(state.pid)) return undefined;
  try {
    await ping(state.url);
    return state;
  } catch (err) {
    if (!isRedisServer(state.pid)) return undefined; // the pid was reused by an unrelated process
    throw new Error(`a redis-server (pid ${state.pid}) from a previous run still holds ${dirname(stateFile)} but does not answer at ${state.url} (${errorMessage(err)}): stop it, or remove ${stateFile} if it is not the one`);
  }
}

/** Whether `pid` exists. EPERM means it does, owned by another user: it is not dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** /proc/<pid>/cmdline names redis-server (readable for other users' processes too). */
function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return true; // no /proc (or unreadable): assume the worst, never start a second server
  }
}

/** A raw PING over TCP: leaves no client-library timers behind when the server isn't up yet. */
function ping(url: string): Promise<void> {
  const port = Number(new URL(url).port);
  return new Promise((resolvePing, reject) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const fail = (err: Error) => {
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(1000, () => fail(new Error('timeout')));
    sock.on('error', fail);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      sock.destroy();
      if (d.toString().startsWith('+PONG')) resolvePing();
      else reject(new Error(`unexpected reply ${JSON.stringify(d.toString().trim())}`));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    try {
      return await ping(url);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer at ${url}: ${errorMessage(err)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? res(a.port) : rej(new Error('no free port'))));
    });
  });
}
