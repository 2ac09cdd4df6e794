import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from './bench-env';

/** A `warden start` child process of the benchmark's own (embedded redis-server, temp dir). */
export interface ChildWarden {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly redisPid: number;
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export interface ChildWardenOptions {
  /** scrape: entries of warden.yaml (snake_case). */
  readonly scrape: ReadonlyArray<Record<string, unknown>>;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
  /** Extra environment, e.g. to turn on a feature under test. */
  readonly env?: Readonly<Record<string, string>>;
  /** Replaces rules: (default: the shipped rules/*.rules.yaml, copied into the temp dir). */
  readonly rules?: Readonly<Record<string, string>>;
  readonly configOverrides?: Readonly<Record<string, unknown>>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The shipped warden.yaml with the simulator off, no probes, the given scrape targets and the
 * shipped rules: what a quiet production Warden runs, in a child process, so its CPU and RSS are
 * its own (the bench runner's heap and timers do not count).
 */
export async function startChildWarden(o: ChildWardenOptions): Promise<ChildWarden> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-child-'));
  const config = parse(readFileSync(join(REPO_ROOT, 'warden.yaml'), 'utf8')) as Record<string, unknown>;
  const port = await freePort();
  config.server = { port };
  config.simulator = { enabled: false };
  config.components = (config.components as Array<Record<string, unknown>>).map(({ probe: _probe, ...c }) => c);
  config.scrape = o.scrape;
  config.remediation = { executors: { restart: { http_base_url: 'http://127.0.0.1:9' }, log_dirs: [{ path: join(dir, 'logs'), archive_dir: join(dir, 'archive') }] } };
  config.log_level = 'warn';
  Object.assign(config, o.configOverrides ?? {});
  if (o.rules) {
    for (const [name, text] of Object.entries(o.rules)) writeFileSync(join(dir, name), text);
    config.rules = Object.keys(o.rules);
  } else {
    for (const f of readdirSync(join(REPO_ROOT, 'rules')).filter((f) => f.endsWith('.rules.yaml'))) copyFileSync(join(REPO_ROOT, 'rules', f), join(dir, f));
    config.rules = ['*.rules.yaml'];
  }
  writeFileSync(join(dir, 'warden.yaml'), stringify(config));
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), join(REPO_ROOT, 'bin', 'warden.js'), 'start', '-c', join(dir, 'warden.yaml'), '--data-dir', join(dir, 'redis')], {
    cwd: dir,
    env: { ...process.env, ...(o.env ?? {}), REDIS_URL: '', WARDEN_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await waitReady(url, child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    cleanupDir();
    throw err;
  }
  const redisPid = (JSON.parse(readFileSync(join(dir, 'redis', 'embedded.json'), 'utf8')) as { pid: number }).pid;
  let stopping: Promise<void> | undefined;
  return {
    child, pid: child.pid as number, redisPid, url, dir,
    stop: () => (stopping ??= (async () => {
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      cleanupDir();
    })()),
  };
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`warden exited ${child.exitCode} before ready: ${stderr()}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`warden not ready within 60 s: ${stderr()}`);
}
