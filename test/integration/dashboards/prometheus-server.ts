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

export interface PromResponse<T> {
  status: string;
  error?: string;
  data?: T;
}
/** A vector: one entry per series, value as [unix seconds, "number"]. */
export type InstantResult = PromResponse<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>;
/** A matrix: one entry per series, values as [unix seconds, "number"]. */
export type RangeResult = PromResponse<{ resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>;

export interface TestPrometheus {
  readonly url: string;
  /** Instant query (POST /api/v1/query), evaluated now or at `atS` (unix seconds). */
  query(expr: string, atS?: number): Promise<InstantResult>;
  /** What Grafana sends for a time-series or stat panel: POST /api/v1/query_range. */
  queryRange(expr: string, range: { startS: number; endS: number; stepS: number }): Promise<RangeResult>;
  /** What Grafana's label_values(metric, label) asks: GET /api/v1/label/<label>/values?match[]=metric. */
  labelValues(label: string, match: string): Promise<PromResponse<string[]>>;
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
    async query(expr, atS) {
      const body = new URLSearchParams({ query: expr, ...(atS === undefined ? {} : { time: String(atS) }) });
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
      return (await res.json()) as InstantResult;
    },
    async queryRange(expr, r) {
      const body = new URLSearchParams({ query: expr, start: String(r.startS), end: String(r.endS), step: String(r.stepS) });
      const res = await fetch(`${url}/api/v1/query_range`, { method: 'POST', body });
      return (await res.json()) as RangeResult;
    },
    async labelValues(label, match) {
      const res = await fetch(`${url}/api/v1/label/${encodeURIComponent(label)}/values?${new URLSearchParams({ 'match[]': match })}`);
      return (await res.json()) as PromResponse<string[]>;
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
