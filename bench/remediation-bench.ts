import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { AuditLog } from '../src/audit/audit-log';
import type { RemediationAuditSink } from '../src/remediate/remediation-audit';
import type { Executor } from '../src/remediate/executor';
import { RemediationService } from '../src/remediate/remediation-service';
import { remediationRuleSchema } from '../src/rules/remediation-rule-schema';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis';
import { silentLogger } from '../src/telemetry/logger';

export interface JobsBenchOptions {
  /** @defaultValue 2000 */
  jobs?: number;
  /** @defaultValue 64 */
  concurrency?: number;
  /** 'redis': the real hash-chained audit log (default); 'none': measures the queue and safety checks alone. */
  audit?: 'redis' | 'none';
  /** Called after every job is enqueued, just before the worker starts and the clock runs (profiling). */
  afterEnqueue?: () => Promise<void>;
}

const noopExecutor: Executor = {
  action: 'restart',
  describe: (target) => `nothing for ${target}`,
  execute: async () => ({ summary: 'no-op', details: {} }),
};

/**
 * Issue 4 §5 `jobs_per_s`: remediation jobs completed per second with a no-op executor, through
 * the whole worker path (cooldown, budget, lease with fencing token, audit of every step). All
 * jobs are enqueued first, then the worker starts and the clock runs until the last completes.
 * Uses its own key prefix on the given Redis and deletes nothing else.
 */
export async function benchJobsPerSecond(redisUrl: string, opts: JobsBenchOptions = {}): Promise<number> {
  const jobs = opts.jobs ?? 2000;
  const prefix = `bench${process.pid}x${Date.now()}`;
  const auditRedis = new Redis(redisUrl);
  const audit: RemediationAuditSink = (opts.audit ?? 'redis') === 'redis' ? new AuditLog({ redis: auditRedis, prefix }) : { append: async () => undefined };
  const rules = [remediationRuleSchema.parse({ name: 'bench', on: { alert: 'Bench' }, action: 'restart', target: '{{ $labels.component }}', targets: 'c[0-9]+', cooldown: '0s', max_per_window: { count: 1000, window: '1h' } })];
  const common = { redis: redisUrl, prefix, rules, executors: new Map([['restart', noopExecutor]] as const), audit, escalator: { escalate: async () => undefined }, verify: () => true, dryRun: false, log: silentLogger() };
  const enqueuer = new RemediationService({ ...common, registry: new Registry(), runWorker: false });
  const worker = new RemediationService({ ...common, registry: new Registry(), concurrency: opts.concurrency ?? 64 });
  try {
    await enqueuer.start();
    const t0 = Date.now();
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < jobs; i++) {
      const labels = { alertname: 'Bench', component: `c${i}` };
      const alert = { fingerprint: `fp${i}`, name: 'Bench', group: 'bench', file: 'bench', labels, annotations: {}, state: 'firing' as const, activeAtMs: t0, firedAtMs: t0, value: 1 };
      batch.push(enqueuer.onAlert({ alert, from: 'pending', to: 'firing', atMs: t0 }));
      if (batch.length === 200) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    await opts.afterEnqueue?.();
    const started = performance.now();
    await worker.start();
    while ((await completed(worker)) < jobs) await new Promise((r) => setTimeout(r, 5));
    return jobs / ((performance.now() - started) / 1000);
  } finally {
    await worker.stop();
    await enqueuer.stop();
    await cleanup(auditRedis, prefix);
    auditRedis.disconnect();
  }
}

/**
 * The remediation part of issue 4 §5 `remediate_p99_ms`: from an alert transition handed to the
 * service to its executor starting (enqueue, audit of matched/enqueued, BullMQ pick-up, safety
 * checks, audit of the attempt). One alert at a time, so this is latency, not queueing.
 */
export async function benchAlertToActiveP99Ms(redisUrl: string, opts: { samples?: number } = {}): Promise<number> {
  const samples = opts.samples ?? 300;
  const prefix = `benchlat${process.pid}x${Date.now()}`;
  const auditRedis = new Redis(redisUrl);
  let started: (() => void) | undefined;
  const executor: Executor = { ...noopExecutor, execute: async () => (started?.(), { summary: 'no-op', details: {} }) };
  const rules = [remediationRuleSchema.parse({ name: 'bench', on: { alert: 'Bench' }, action: 'restart', target: '{{ $labels.component }}', targets: 'c[0-9]+', cooldown: '0s' })];
  const service = new RemediationService({ redis: redisUrl, prefix, rules, executors: new Map([['restart', executor]]), audit: new AuditLog({ redis: auditRedis, prefix }), escalator: { escalate: async () => undefined }, verify: () => true, dryRun: false, registry: new Registry(), log: silentLogger() });
  const latencies: number[] = [];
  try {
    await service.start();
    for (let i = 0; i < samples; i++) {
      const t0 = Date.now();
      const labels = { alertname: 'Bench', component: `c${i}` };
      const active = new Promise<void>((r) => (started = r));
      const begin = performance.now();
      await service.onAlert({ alert: { fingerprint: `fp${i}`, name: 'Bench', group: 'bench', file: 'bench', labels, annotations: {}, state: 'firing', activeAtMs: t0, firedAtMs: t0, value: 1 }, from: 'pending', to: 'firing', atMs: t0 });
      await active;
      latencies.push(performance.now() - begin);
    }
    latencies.sort((a, b) => a - b);
    return latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] as number;
  } finally {
    await service.stop();
    await cleanup(auditRedis, prefix);
    auditRedis.disconnect();
  }
}

/**
 * Audit appends per second: `writers` AuditLog instances (replicas, each on its own connection)
 * sharing one chain, each with `inFlightPerWriter` callers appending back to back, as the
 * remediation worker's concurrent jobs do. Verifies the chain afterwards.
 */
export async function benchAuditAppendsPerSecond(redisUrl: string, opts: { appends?: number; writers?: number; inFlightPerWriter?: number } = {}): Promise<number> {
  const appends = opts.appends ?? 20_000;
  const writers = opts.writers ?? 1;
  const inFlight = opts.inFlightPerWriter ?? 64;
  const prefix = `benchaudit${process.pid}x${Date.now()}`;
  const clients = Array.from({ length: writers }, () => new Redis(redisUrl));
  const logs = clients.map((redis) => new AuditLog({ redis, prefix }));
  let issued = 0;
  const caller = async (log: AuditLog, w: number): Promise<void> => {
    while (issued < appends) {
      const i = issued++;
      await log.append({ actor: `bench-${w}`, action: 'remediation.attempt', target: `c${i}`, details: { job_id: `j${i}`, rule: 'bench', attempt: 1 } });
    }
  };
  try {
    await Promise.all(clients.map((c) => c.ping()));
    const started = performance.now();
    await Promise.all(logs.flatMap((log, w) => Array.from({ length: inFlight }, () => caller(log, w))));
    const perSecond = appends / ((performance.now() - started) / 1000);
    const v = await (logs[0] as AuditLog).verify();
    if (!v.ok || v.checked !== appends) throw new Error(`audit chain broken after the benchmark: ${JSON.stringify(v)}`);
    return perSecond;
  } finally {
    await cleanup(clients[0] as Redis, prefix);
    for (const c of clients) c.disconnect();
  }
}

async function completed(service: RemediationService): Promise<number> {
  const m = await service.metrics.jobs.get();
  return m.values.filter((v) => v.labels.outcome === 'succeeded').reduce((s, v) => s + v.value, 0);
}

async function cleanup(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * `node dist-bench/bench/remediation-bench.js [--rounds N]`: jobs_per_s with the real audit log and with
 * a no-op sink, and audit appends/s with 1 and 2 writers, on an embedded redis-server of its own
 * (AOF on, as `warden start` runs it). One JSON line per round, then the medians.
 */
async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(argv[i + 1]) : 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-remediation-'));
  const redis = await startEmbeddedRedis(dir, silentLogger());
  const figures: Array<Record<string, number>> = [];
  try {
    for (let r = 1; r <= rounds; r++) {
      const f = {
        jobs_per_s: Math.round(await benchJobsPerSecond(redis.url)),
        jobs_per_s_noop_audit: Math.round(await benchJobsPerSecond(redis.url, { audit: 'none' })),
        audit_appends_per_s_1_writer: Math.round(await benchAuditAppendsPerSecond(redis.url, { writers: 1 })),
        audit_appends_per_s_2_writers: Math.round(await benchAuditAppendsPerSecond(redis.url, { writers: 2 })),
      };
      figures.push(f);
      process.stdout.write(JSON.stringify({ round: r, ...f }) + '\n');
    }
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (k: string) => {
    const v = figures.map((f) => f[k] as number).sort((a, b) => a - b);
    return v[Math.floor((v.length - 1) / 2)] as number;
  };
  process.stdout.write(JSON.stringify({ median: Object.fromEntries(Object.keys(figures[0] ?? {}).map((k) => [k, median(k)])) }) + '\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
