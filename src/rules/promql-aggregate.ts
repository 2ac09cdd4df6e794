import type { Labels } from '../signals/sample';
import type { AggregateOp } from './promql-ast';
import type { InstantVector } from './promql-values';
import { KahanSum } from './kahan-sum';

interface Group {
  labels: Labels;
  sum: KahanSum;
  count: number;
  min: number;
  max: number;
}

const SEP = '\xff';

function groupKey(labels: Labels, without: boolean, grouping: readonly string[]): string {
  if (!without) {
    let key = '';
    for (const g of grouping) key += (labels[g] ?? '') + SEP;
    return key;
  }
  let key = '';
  for (const k of Object.keys(labels).sort()) if (!grouping.includes(k)) key += k + SEP + labels[k] + SEP;
  return key;
}

function groupLabels(labels: Labels, without: boolean, grouping: readonly string[]): Labels {
  const out: Record<string, string> = {};
  if (without) {
    for (const k of Object.keys(labels)) if (!grouping.includes(k)) out[k] = labels[k] as string;
  } else {
    for (const g of grouping) if (labels[g] !== undefined && labels[g] !== '') out[g] = labels[g] as string;
  }
  return out;
}

/** sum/min/max/avg/count with by/without (promql/engine.go aggregation); results drop the metric name. */
export function aggregate(op: AggregateOp, input: InstantVector, without: boolean, grouping: readonly string[]): InstantVector {
  const groups = new Map<string, Group>();
  for (const el of input) {
    const key = groupKey(el.labels, without, grouping);
    let g = groups.get(key);
    if (!g) {
      g = { labels: groupLabels(el.labels, without, grouping), sum: new KahanSum(), count: 0, min: el.value, max: el.value };
      groups.set(key, g);
    }
    g.sum.add(el.value);
    g.count++;
    if (el.value < g.min || g.min !== g.min) g.min = el.value;
    if (el.value > g.max || g.max !== g.max) g.max = el.value;
  }
  const out: InstantVector = [];
  for (const g of groups.values()) {
    const value = op === 'sum' ? g.sum.value : op === 'count' ? g.count : op === 'min' ? g.min : op === 'max' ? g.max : g.sum.value / g.count;
    out.push({ name: undefined, labels: g.labels, value });
  }
  return out;
}
