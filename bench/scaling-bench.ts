import { performance } from 'node:perf_hooks';
import { round, startBenchWarden } from './bench-env';

function rulesYaml(ownRules: number, otherRules: number): string {
  const lines = ['groups:', '  - name: own', '    rules:'];
  for (let i = 0; i < ownRules; i++) lines.push(`      - alert: Own${i}`, `        expr: scaled_metric > ${100 + i}`, '        labels: {health: yellow}');
  if (otherRules > 0) {
    lines.push('  - name: others', '    rules:');
    for (let i = 0; i < otherRules; i++) lines.push(`      - alert: Other${i}`, `        expr: other_metric_${i} > 1`, '        labels: {health: yellow}');
  }
  return lines.join('\n') + '\n';
}

/** Mean per-sample cost of ingest + evaluation (in-process, no HTTP), in microseconds. */
async function perSampleMicros(otherRules: number): Promise<number> {
  const env = await startBenchWarden('components: [{name: c0, critical: true}]\nrules: [scale.rules.yaml]\n', { 'scale.rules.yaml': rulesYaml(10, otherRules) });
  try {
    const loop = env.warden.loop;
    let ts = Date.now() - 3_600_000;
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ name: 'scaled_metric', labels: { component: 'c0', instance: `i${i % 100}` }, value: i % 50, timestampMs: ts + Math.floor(i / 100) }));
    for (let w = 0; w < 20; w++) {
      loop.ingest(batch(1000), 'bench');
      ts += 100;
    }
    const rounds = 200;
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      loop.ingest(batch(1000), 'bench');
      ts += 100;
    }
    return ((performance.now() - t0) * 1000) / (rounds * 1000);
  } finally {
    await env.stop();
  }
}

/** rule_scaling_ratio: per-sample cost with 10k rules on other metrics / with the 10 rules alone. */
export async function benchRuleScaling(): Promise<{ rule_scaling_ratio: number; per_sample_us_10_rules: number; per_sample_us_10k_other: number }> {
  const base = await perSampleMicros(0);
  const scaled = await perSampleMicros(10_000);
  const base2 = await perSampleMicros(0);
  const baseline = Math.min(base, base2);
  return { rule_scaling_ratio: round(scaled / baseline, 2), per_sample_us_10_rules: round(baseline, 2), per_sample_us_10k_other: round(scaled, 2) };
}
