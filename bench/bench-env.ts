import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../src/config/load-config';
import { startWarden, type Warden } from '../src/main';
import { startEmbeddedRedis, type EmbeddedRedis } from '../src/runtime/embedded-redis';
import { silentLogger } from '../src/telemetry/logger';

/** A Warden of the benchmark's own: its own redis-server and temp dir, nothing shared. */
export interface BenchWarden {
  readonly warden: Warden;
  readonly redis: EmbeddedRedis;
  readonly dir: string;
  stop(): Promise<void>;
}

export const REPO_ROOT = resolve(__dirname, '..', '..');

export async function startBenchWarden(configYaml: string, files: Record<string, string> = {}): Promise<BenchWarden> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const log = silentLogger();
  const redis = await startEmbeddedRedis(join(dir, 'redis'), log);
  const config = parseConfig(join(dir, 'warden.yaml'), configYaml, { port: 0 });
  const warden = await startWarden({ config, baseDir: dir, redisUrl: redis.url, log, defaultMetrics: false });
  return {
    warden,
    redis,
    dir,
    async stop() {
      await warden.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** POSTs a JSON push body to a bench Warden over a keep-alive agent; resolves with the status code. */
export function pushSamples(agent: Agent, port: number, samples: unknown[]): Promise<number> {
  const body = JSON.stringify({ samples });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/samples', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.on('error', reject); // a reset mid-response rejects this push, not the whole process
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
