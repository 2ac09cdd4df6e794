import type { Series } from '../signals/series';
import { type PartitionLabels, scopeOf } from './incremental-shape';
import type { Scope } from './promql-selectors';

/**
 * The scopes a batch's touched series give a rule: one per touched series of a metric the rule
 * selects. On a finite partition (an on(...) join) many series share a scope: each is kept once,
 * so a batch of 1000 pods of one component evaluates that component once.
 */
export function scopesFor(partition: PartitionLabels, metricNames: readonly string[], touched: ReadonlyMap<string, readonly Series[]>): Scope[] {
  const scopes: Scope[] = [];
  const seen = partition.kind === 'only' ? new Set<string>() : undefined;
  for (const name of metricNames) {
    const series = touched.get(name);
    if (!series) continue;
    for (const s of series) {
      const scope = scopeOf(partition, s.labels);
      if (seen) {
        const key = scope.map(([, v]) => v.length + ':' + v).join('');
        if (seen.has(key)) continue;
        seen.add(key);
      }
      scopes.push(scope);
    }
  }
  return scopes;
}
