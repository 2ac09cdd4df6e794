import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/redis-server';

/** Path of a binary on PATH, or undefined (Debian's `prometheus` package puts it in /usr/bin). */
export function onPath(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface TestPrometheus {
  readonly url: string;
  query(expr: string): Promise<{ status: string; error?: string; data?: { resultType: string; result: unknown[] } }>;
  stop(): Promise<void>;
}

/** A real prometheus of the test's own: temp dir, free port, 1 s scrapes of the given targets. */
export async function startPrometheus(jobs: Record<string, string[]>): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-prom-'));
  const port = await freePort();
  const scrapeConfigs = Object.entries(jobs)
    .map(([job, targets]) => `  - job_name: ${job}\n    static_configs:\n      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`)
    .join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${scrapeConfigs}\n`);
  const proc: ChildProcess = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    await waitReady(url, proc, () => stderr);
  } catch (err) {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
      return (await res.json()) as Awaited<ReturnType<TestPrometheus['query']>>;
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(url: string, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${stderr()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch (err) {
      // Not listening yet (fetch's TypeError, from another realm than jest's): poll until the deadline.
      if ((err as Error).name !== 'TypeError') throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus not ready at ${url}: ${stderr()}`);
}
