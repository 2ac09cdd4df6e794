import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './redis-server';

/**
 * A real PostgreSQL primary and a streaming replica of its own (issue 14 §3 tests): two clusters
 * made with initdb and pg_basebackup -R on free ports, the replica synchronous
 * (synchronous_standby_names + synchronous_commit on: a commit returns only once the replica has
 * it, spec §13 RPO 0). As root (the CI container) the servers run as the `postgres` user, since
 * PostgreSQL refuses to run as root.
 */
export interface PostgresNode {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  /** postgresql://postgres@127.0.0.1:<port>/postgres (trust auth: no password). */
  readonly url: string;
  /** The postmaster's pid (from postmaster.pid), or undefined when it does not run. */
  pid(): number | undefined;
  /** kill -9 of the postmaster: gone at once, no shutdown checkpoint, no goodbye to the replica. */
  kill9(): void;
  /** SIGSTOP / SIGCONT of the postmaster: a frozen server (TCP still accepts, nothing answers). */
  freeze(): void;
  thaw(): void;
  /** pg_ctl stop -m immediate. */
  stop(): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface PostgresPair {
  readonly primary: PostgresNode;
  readonly replica: PostgresNode;
  readonly dir: string;
  /** Stops both servers (whatever state they are in) and deletes their data. */
  destroy(): Promise<void>;
}

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const REPLICA_APPLICATION_NAME = 'warden_replica';

export function postgresInstalled(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_basebackup'));
}

function ownerIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function run(cmd: string, args: string[], owner: { uid: number; gid: number } | undefined, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const opts: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, ...(owner ?? {}) };
    const child = spawn(join(PG_BIN, cmd), args, opts);
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

function node(name: string, dataDir: string, port: number, owner: { uid: number; gid: number } | undefined): PostgresNode {
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const pid = () => {
    const file = join(dataDir, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const n = Number(readFileSync(file, 'utf8').split('\n')[0]);
    try {
      process.kill(n, 0);
      return n;
    } catch {
      return undefined; // the pid file of a killed postmaster stays behind
    }
  };
  const signal = (sig: NodeJS.Signals) => {
    const p = pid();
    if (p === undefined) throw new Error(`${name}: postmaster is not running`);
    process.kill(p, sig);
  };
  return {
    name, port, dataDir, url, pid,
    kill9: () => signal('SIGKILL'),
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async stop() {
      if (pid() === undefined) return;
      await run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], owner).catch(() => undefined);
    },
    async query(sql, params) {
      const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      c.on('error', () => undefined);
      await c.connect();
      try {
        return (await c.query(sql, params)).rows;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
  };
}

/** initdb + start a primary, pg_basebackup -R a replica from it, start it, wait until it is the sync standby. */
export async function startPostgresPair(): Promise<PostgresPair> {
  const owner = ownerIds();
  const dir = mkdtempSync(join(tmpdir(), 'warden-pg-'));
  chmodSync(dir, 0o755);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const [pPort, rPort] = [await freePort(), await freePort()];
  const pData = join(dir, 'primary');
  const rData = join(dir, 'replica');
  const primary = node('primary', pData, pPort, owner);
  const replica = node('replica', rData, rPort, owner);
  const destroy = async () => {
    for (const n of [primary, replica]) {
      try {
        n.thaw();
      } catch {
        // not running: nothing to thaw
      }
      await n.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('initdb', ['-D', pData, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], owner);
    appendFileSync(join(pData, 'postgresql.conf'), [
      '', `port = ${pPort}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`,
      'wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', 'shared_buffers = 16MB', 'max_connections = 40',
      `synchronous_standby_names = '${REPLICA_APPLICATION_NAME}'`, 'synchronous_commit = on', 'wal_sender_timeout = 5s', 'wal_receiver_timeout = 5s',
      "logging_collector = off", '',
    ].join('\n'));
    await run('pg_ctl', ['-D', pData, '-l', join(dir, 'primary.log'), '-w', 'start'], owner);
    await run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(pPort), '-U', 'postgres', '-D', rData, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'], owner);
    // pg_basebackup -R wrote primary_conninfo; name the walreceiver so the primary waits for it.
    appendFileSync(join(rData, 'postgresql.auto.conf'), `\nport = ${rPort}\nprimary_conninfo = 'host=127.0.0.1 port=${pPort} user=postgres application_name=${REPLICA_APPLICATION_NAME}'\n`);
    await run('pg_ctl', ['-D', rData, '-l', join(dir, 'replica.log'), '-w', 'start'], owner);
    await waitForSyncStandby(primary);
    return { primary, replica, dir, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

async function waitForSyncStandby(primary: PostgresNode, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await primary.query<{ sync_state: string }>('SELECT sync_state FROM pg_stat_replication WHERE application_name = $1', [REPLICA_APPLICATION_NAME]);
    if (rows[0]?.sync_state === 'sync') return;
    if (Date.now() > deadline) throw new Error(`the replica did not become the synchronous standby within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
