#!/usr/bin/env node
'use strict';
/**
 * A quick probe, not a benchmark (the official scale_100k_* benchmarks live in bench/): pushes
 * 100k series (memory_used_ratio and processing_lag_seconds, one `instance` per pod) in 1000-sample
 * batches through an in-process store + rule engine with the shipped rules, and prints samples/s
 * per round and RSS. Usage: node scripts/scale-probe.js [distDir=dist] [rounds=6] [pods=50000]
 * (build first: npm run build). Run with --expose-gc for steadier RSS figures.
 */
const { readFileSync, readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');

const dist = resolve(process.argv[2] ?? 'dist');
const rounds = Number(process.argv[3] ?? 6);
const pods = Number(process.argv[4] ?? 50_000);
const { SignalStore } = require(join(dist, 'signals/signal-store'));
const { RuleEngine } = require(join(dist, 'rules/rule-engine'));
const { parseRuleFile } = require(join(dist, 'rules/load-rules'));

const ruleDir = resolve(__dirname, '../rules');
const files = readdirSync(ruleDir).filter((f) => f.endsWith('.yaml'));
const parsed = files.map((f) => parseRuleFile(f, readFileSync(join(ruleDir, f), 'utf8')));
const set = { files, groups: parsed.flatMap((p) => p.groups), remediations: parsed.flatMap((p) => p.remediations) };

const store = new SignalStore({ windowMs: 15 * 60_000, maxPointsPerSeries: 4096, stalenessMs: 60_000 });
const engine = new RuleEngine({ store, history: { marginMs: 15_000 } });
const t0 = 1_700_000_000_000;
engine.replace(set, t0);

const metrics = ['memory_used_ratio', 'processing_lag_seconds'];
const labels = [];
for (let p = 0; p < pods; p++) labels.push({ component: `c${p % 20}`, instance: `pod-${p}` });
const mb = (n) => Math.round(n / 1048576);

for (let round = 0; round < rounds; round++) {
  const now = t0 + (round + 1) * 15_000;
  const started = process.hrtime.bigint();
  let sent = 0;
  let evalNs = 0n;
  let batch = [];
  const flush = () => {
    const touched = new Map();
    for (const s of batch) {
      const series = store.appendSeries ? store.appendSeries(s.name, s.labels, s.value, s.timestampMs) : (store.append(s), undefined);
      if (series) {
        const list = touched.get(s.name);
        if (list) list.push(series);
        else touched.set(s.name, [series]);
      }
    }
    const e0 = process.hrtime.bigint();
    engine.onSamples(new Set(batch.map((s) => s.name)), now, touched);
    evalNs += process.hrtime.bigint() - e0;
    sent += batch.length;
    batch = [];
  };
  for (let p = 0; p < pods; p++) {
    for (const name of metrics) {
      // about 1% of pods over the thresholds, so some alerts are active
      const high = (p + round) % 100 === 0;
      const value = name === 'memory_used_ratio' ? (high ? 0.9 : 0.5) : high ? 12 : 0.2;
      batch.push({ name, labels: { ...labels[p] }, value, timestampMs: now });
      if (batch.length === 1000) flush();
    }
  }
  if (batch.length) flush();
  engine.tick(now);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (global.gc) global.gc();
  const m = process.memoryUsage();
  console.log(`round ${round + 1}: ${sent} samples in ${seconds.toFixed(2)} s = ${Math.round(sent / seconds)} samples/s (rule evaluation ${(Number(evalNs) / 1e6 / (sent / 1000)).toFixed(2)} ms per 1000-sample batch); series ${store.seriesCount}; alerts ${engine.activeAlerts().length}; rss ${mb(m.rss)} MB heap ${mb(m.heapUsed)} MB`);
}
