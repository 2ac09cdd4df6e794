import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/config/load-config';
import { startWarden, type Warden } from '../../src/main';
import { silentLogger } from '../../src/telemetry/logger';
import type { Logger } from 'pino';
import { startRedis, type TestRedis } from './redis-server';

/** A real Warden (in this process) on an ephemeral port, with a redis-server of its own. */
export interface WardenHarness {
  readonly warden: Warden;
  readonly redis: TestRedis;
  readonly dir: string;
  readonly url: string;
  request(method: string, path: string, opts?: { body?: unknown; rawBody?: string; token?: string; contentType?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  push(samples: Array<{ name: string; labels?: Record<string, string>; value: number; timestamp?: number }>, token?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface HarnessOptions {
  /** warden.yaml text; `rules:` globs are relative to the harness's temp dir. */
  config: string;
  /** Files to write into the temp dir before start (name -> content). */
  files?: Record<string, string>;
  /** Copy the repository's rules/ directory into the temp dir. */
  withRepoRules?: boolean;
  redis?: TestRedis;
  clock?: () => number;
  /** Warden's logger; silent unless a test wants to read what Warden said. */
  log?: Logger;
}

export async function startHarness(opts: HarnessOptions): Promise<WardenHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-test-'));
  if (opts.withRepoRules) cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), content);
  const ownRedis = !opts.redis;
  const redis = opts.redis ?? (await startRedis());
  const config = parseConfig(join(dir, 'warden.yaml'), opts.config, { port: 0 });
  let warden: Warden;
  try {
    warden = await startWarden({ config, baseDir: dir, redisUrl: redis.url, log: opts.log ?? silentLogger(), defaultMetrics: false, clock: opts.clock });
  } catch (err) {
    if (ownRedis) await redis.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const request: WardenHarness['request'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const res = await fetch(warden.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (e.g. /metrics): hand back the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    warden,
    redis,
    dir,
    url: warden.url,
    request,
    push: (samples, token) => request('POST', '/v1/samples', { body: { samples }, token }),
    async stop() {
      await warden.stop();
      if (ownRedis) await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
