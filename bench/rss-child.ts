import { startShippedRulesWarden } from './scale-bench';

/**
 * The child process of the RSS benchmarks (issue 10 §5): a Warden with the shipped rules whose
 * store is filled in-process, one sample per series per simulated second (synthetic timestamps),
 * through SignalStore.appendRaw. Reports each simulated second to the parent, which reads this
 * process's RSS from /proc (so the bench runner's heap does not count) and says when to stop.
 */
async function main(series: number, seconds: number): Promise<void> {
  const env = await startShippedRulesWarden();
  let stop = false;
  process.on('message', (m) => {
    if (m === 'stop') stop = true;
  });
  const store = env.warden.store;
  const t0 = Date.now() - (seconds + 60) * 1000;
  const components = ['matching-engine', 'settlement', 'database', 'market-data', 'order-gateway', 'reporting'];
  const yieldNow = () => new Promise((r) => setImmediate(r));
  let s = 0;
  for (; s < seconds && !stop; s++) {
    const ts = t0 + s * 1000;
    for (let i = 0; i < series; i++) {
      const pod = i >> 1;
      // A fresh labels object per sample, as a decoded push would give: the store keeps its own copy.
      store.appendRaw(i % 2 === 0 ? 'memory_used_ratio' : 'processing_lag_seconds', { component: components[pod % 6] as string, instance: `pod-${pod}` }, ((i + s) % 50) / 100, ts);
      if (i % 50_000 === 49_999) {
        process.send?.({ simulatedSeconds: s + (i + 1) / series, series: store.seriesCount });
        await yieldNow();
        if (stop) break;
      }
    }
    process.send?.({ simulatedSeconds: s + 1, series: store.seriesCount });
  }
  // One evaluation tick over everything, as the timer would run: rule state counts too.
  if (!stop) await env.warden.loop.tick();
  process.send?.({ done: true, simulatedSeconds: s, series: store.seriesCount });
  while (!stop) await new Promise((r) => setTimeout(r, 50));
  await env.stop();
  process.exit(0);
}

if (require.main === module) {
  const [series, seconds] = process.argv.slice(2).map(Number);
  main(series ?? 100_000, seconds ?? 900).catch((err: unknown) => {
    process.stderr.write(`rss child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
