import { Agent } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load-config';
import { startWarden, type Warden } from '../src/main';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis';
import { silentLogger } from '../src/telemetry/logger';
import { REPO_ROOT, percentile, pushSamples, round } from './bench-env';

/**
 * Issue 12 fan-out: two replicas (in this process) on one redis-server; from sending a push to A
 * to the sample being in B's store. `fanout_lag_ms_p50` / `_max` over `iterations` pushes.
 */
export async function benchFanout(iterations = 200): Promise<{ fanout_lag_ms_p50: number; fanout_lag_ms_p99: number; fanout_lag_ms_max: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-fanout-'));
  const log = silentLogger();
  const redis = await startEmbeddedRedis(join(dir, 'redis'), log);
  const replicas: Warden[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    writeFileSync(join(dir, 'exchange.rules.yaml'), readFileSync(join(REPO_ROOT, 'rules', 'exchange.rules.yaml'), 'utf8'));
    const yaml = 'components: [{name: matching-engine, critical: true}]\nrules: [exchange.rules.yaml]\ncluster: {fanout: true}\n';
    for (const name of ['a', 'b']) {
      const base = join(dir, name);
      const config = parseConfig(join(dir, 'warden.yaml'), yaml.replace('fanout: true', `fanout: true, replica_id: bench-${name}`), { port: 0 });
      config.journal = { ...config.journal, dir: base };
      replicas.push(await startWarden({ config, baseDir: dir, redisUrl: redis.url, log, defaultMetrics: false }));
    }
    const [a, b] = replicas as [Warden, Warden];
    const inB = (ts: number) => {
      for (const s of b.store.seriesOf('replication_lag_seconds')) if (s.labels.component === 'matching-engine') return s.lastTimestampMs === ts;
      return false;
    };
    const lags: number[] = [];
    let ts = Date.now();
    for (let i = 0; i < iterations; i++) {
      ts = Math.max(ts + 1, Date.now());
      const t0 = performance.now();
      const status = await pushSamples(agent, a.port, [{ name: 'replication_lag_seconds', labels: { component: 'matching-engine' }, value: 0.1, timestamp: ts }]);
      if (status !== 200) throw new Error(`push answered ${status}`);
      const deadline = t0 + 5000;
      while (!inB(ts)) {
        if (performance.now() > deadline) throw new Error('push not applied on the other replica within 5 s');
        await new Promise((r) => setImmediate(r));
      }
      lags.push(performance.now() - t0);
    }
    lags.sort((x, y) => x - y);
    return { fanout_lag_ms_p50: round(percentile(lags, 50)), fanout_lag_ms_p99: round(percentile(lags, 99)), fanout_lag_ms_max: round(lags[lags.length - 1] as number) };
  } finally {
    agent.destroy();
    for (const w of replicas.reverse()) await w.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
