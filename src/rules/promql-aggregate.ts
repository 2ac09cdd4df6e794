import type { Labels } from '../signals/sample';
import type { AggregateOp } from './promql-ast';
import type { InstantVector, VectorElement } from './promql-values';
import { EvaluationError } from './promql-values';
import { KahanSum } from './kahan-sum';
import { quantileOf } from './promql-functions';

interface Group {
  readonly labels: Labels;
  readonly elements: VectorElement[];
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

function groupsOf(input: InstantVector, without: boolean, grouping: readonly string[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const el of input) {
    const key = groupKey(el.labels, without, grouping);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: groupLabels(el.labels, without, grouping), elements: [] }));
    g.elements.push(el);
  }
  return groups;
}

function sumOf(els: readonly VectorElement[]): number {
  const sum = new KahanSum();
  for (const el of els) sum.add(el.value);
  return sum.value;
}

/** Welford's running variance, as Prometheus' aggregation computes stdvar/stddev. */
function varianceOf(els: readonly VectorElement[]): number {
  let mean = 0;
  let value = 0;
  let count = 0;
  for (const el of els) {
    count++;
    const delta = el.value - mean;
    mean += delta / count;
    value += delta * (el.value - mean);
  }
  return value / count;
}

function groupValue(op: AggregateOp, els: readonly VectorElement[], param: number): number {
  switch (op) {
    case 'sum': return sumOf(els);
    case 'count': return els.length;
    case 'group': return 1;
    case 'avg': return sumOf(els) / els.length;
    case 'min': {
      let m = els[0]!.value;
      for (const el of els) if (el.value < m || m !== m) m = el.value;
      return m;
    }
    case 'max': {
      let m = els[0]!.value;
      for (const el of els) if (el.value > m || m !== m) m = el.value;
      return m;
    }
    case 'stdvar': return varianceOf(els);
    case 'stddev': return Math.sqrt(varianceOf(els));
    case 'quantile': return quantileOf(param, els.map((e) => e.value));
    default: throw new EvaluationError(`aggregation "${op}" has no single value`);
  }
}

/** topk/bottomk: the k largest (smallest) per group, NaN only when nothing else is left; elements unchanged. */
function selectK(els: readonly VectorElement[], k: number, top: boolean): VectorElement[] {
  const sorted = els.slice().sort((a, b) => {
    if (a.value !== a.value) return b.value !== b.value ? 0 : 1;
    if (b.value !== b.value) return -1;
    return top ? b.value - a.value : a.value - b.value;
  });
  return sorted.slice(0, k);
}

/**
 * Aggregation with by/without (promql/engine.go aggregation). `param` is k (topk/bottomk), φ
 * (quantile) or the label name (count_values). topk/bottomk keep their elements; the others drop
 * the metric name.
 */
export function aggregate(op: AggregateOp, input: InstantVector, without: boolean, grouping: readonly string[], param?: number | string): InstantVector {
  const groups = groupsOf(input, without, grouping);
  const out: InstantVector = [];
  if (op === 'topk' || op === 'bottomk') {
    const k = Math.trunc(param as number);
    if (!(k >= 1)) return out;
    for (const g of groups.values()) out.push(...selectK(g.elements, k, op === 'topk'));
    return out;
  }
  if (op === 'count_values') return countValues(groups, param as string);
  for (const g of groups.values()) out.push({ name: undefined, labels: g.labels, value: groupValue(op, g.elements, param as number) });
  return out;
}

function countValues(groups: ReadonlyMap<string, Group>, label: string): InstantVector {
  if (label === '') throw new EvaluationError('invalid label name ""');
  const out: InstantVector = [];
  for (const g of groups.values()) {
    const counts = new Map<string, number>();
    for (const el of g.elements) {
      const v = formatFloatF(el.value);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const [v, n] of counts) out.push({ name: undefined, labels: { ...g.labels, [label]: v }, value: n });
  }
  return out;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never an exponent. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const text = String(v);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const sign = text.startsWith('-') ? '-' : '';
  const mantissa = text.slice(sign.length, e).replace('.', '');
  const pointAt = text.slice(sign.length, e).indexOf('.');
  const intDigits = (pointAt < 0 ? mantissa.length : pointAt) + Number(text.slice(e + 1));
  if (intDigits <= 0) return `${sign}0.${'0'.repeat(-intDigits)}${mantissa}`;
  if (intDigits >= mantissa.length) return sign + mantissa + '0'.repeat(intDigits - mantissa.length);
  return `${sign}${mantissa.slice(0, intDigits)}.${mantissa.slice(intDigits)}`;
}
