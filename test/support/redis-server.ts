import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

/** A real redis-server of the test's own, on a free port, data in a temp dir. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** A fresh client; closed by stop(). */
  client(): Redis;
  /** Stops the server as kill -9 would not: data dir stays until stop(). */
  stop(): Promise<void>;
  /** SIGSTOP: sockets stay open and nothing answers, like a hung or partitioned Redis. */
  freeze(): void;
  /** SIGCONT after freeze(); stop() thaws first. */
  thaw(): void;
  /** kill -9: gone at once, no shutdown save (with appendonly, what AOF holds survives). */
  kill9(): Promise<void>;
  /** After kill9(): a new redis-server on the same port and data dir (AOF reloaded). */
  restart(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function startRedis(opts: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', opts.appendonly ? 'yes' : 'no', '--logfile', ''];
  let proc: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const clients: Redis[] = [];
  const url = `redis://127.0.0.1:${port}`;
  await waitForRedis(url);
  return {
    url,
    port,
    dir,
    client() {
      const c = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
      clients.push(c);
      return c;
    },
    freeze() {
      proc.kill('SIGSTOP');
    },
    thaw() {
      proc.kill('SIGCONT');
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (proc.exitCode === null && proc.signalCode === null) throw new Error('restart() after kill9() only');
      proc = spawn('redis-server', args, { stdio: 'ignore' });
      await waitForRedis(url);
    },
    async stop() {
      const running = () => proc.exitCode === null && proc.signalCode === null;
      if (running()) proc.kill('SIGCONT');
      await Promise.all(clients.map((c) => (running() ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
      if (running()) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls with a raw PING over TCP: no client library state (timers, reconnects) outlives the wait. */
async function waitForRedis(url: string): Promise<void> {
  const port = Number(new URL(url).port);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not start at ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
