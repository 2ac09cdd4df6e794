import { readsNoSeries, typeOf, type BinaryExpr, type Expr, type FunctionCall } from './promql-ast';
import { RANGE_FUNCTIONS } from './promql-function-signatures';
import type { Scope } from './promql-selectors';

/**
 * Labels every output element shares with every input series it depends on: `except` for "all
 * labels but these" (a selector: all of them), `only` for a finite set (an on(...) join).
 */
export type PartitionLabels = { readonly kind: 'except'; readonly names: ReadonlySet<string> } | { readonly kind: 'only'; readonly names: readonly string[] };

/**
 * How a batch re-evaluates a rule (README "Evaluate"):
 * - `scoped`: only the outputs the touched series can change, found through the partition labels;
 * - `absent`: `absent(selector)`, re-evaluated whole (it stops at the first live series: O(1));
 * - `coalesced`: anything else, evaluated whole at most once per coalescing window.
 */
export type EvaluationShape = { readonly kind: 'scoped'; readonly partition: PartitionLabels } | { readonly kind: 'absent' } | { readonly kind: 'coalesced' };

const ALL: PartitionLabels = { kind: 'except', names: new Set() };

function intersect(a: PartitionLabels, b: PartitionLabels): PartitionLabels {
  if (a.kind === 'except' && b.kind === 'except') return { kind: 'except', names: new Set([...a.names, ...b.names]) };
  if (a.kind === 'only' && b.kind === 'only') return { kind: 'only', names: a.names.filter((n) => b.names.includes(n)) };
  const only = (a.kind === 'only' ? a : b) as { names: readonly string[] };
  const except = (a.kind === 'except' ? a : b) as { names: ReadonlySet<string> };
  return { kind: 'only', names: only.names.filter((n) => !except.names.has(n)) };
}

/** Functions whose output keeps each input element's labels (or drops only `le`), given constant scalar arguments. */
const LABEL_KEEPING: ReadonlySet<string> = new Set([
  'abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'sgn', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh',
  'asinh', 'acosh', 'atanh', 'deg', 'rad', 'round', 'clamp', 'clamp_min', 'clamp_max', 'sort', 'sort_desc', 'timestamp', 'histogram_quantile',
  'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year',
]);

/**
 * Why each case holds: a selector's or a range function's output keeps its series' labels (with
 * or without offset/@: they move the instant read, not the labels); so do math functions, sort,
 * timestamp and clamp with constant arguments; histogram_quantile keeps all but `le`, so a
 * touched bucket's scope (all labels but `le`) finds its whole histogram. A scalar comparison or
 * arithmetic keeps labels when the scalar reads no series (`a > scalar(b)` does: any b changes
 * every output); and/or/unless pass elements through and relate the two sides only through equal
 * signatures, so both sides agree on the on(...) labels, or on everything but the ignoring(...)
 * ones. Vector arithmetic and comparisons (which throw on many-to-many matches across the whole
 * vector), aggregations, subqueries, label_replace/label_join, absent() inside an expression and
 * selectors without a metric name (two metrics can yield the same label set) are not partitioned.
 */
function partitionOf(e: Expr): PartitionLabels | undefined {
  switch (e.kind) {
    case 'number':
    case 'string':
      return ALL;
    case 'vector':
      return e.metricName === undefined ? undefined : ALL;
    case 'matrix':
      return partitionOf(e.vector);
    case 'call':
      return callPartition(e);
    case 'unary':
      return partitionOf(e.expr);
    case 'binary':
      return binaryPartition(e);
    default:
      return undefined;
  }
}

function callPartition(e: FunctionCall): PartitionLabels | undefined {
  if (!RANGE_FUNCTIONS.has(e.func) && !LABEL_KEEPING.has(e.func)) return undefined;
  const series = e.args.filter((a) => typeOf(a) === 'vector' || typeOf(a) === 'matrix');
  if (series.length !== 1) return undefined;
  if (!e.args.every((a) => a === series[0] || readsNoSeries(a))) return undefined;
  const inner = partitionOf(series[0] as Expr);
  if (!inner || e.func !== 'histogram_quantile') return inner;
  return intersect(inner, { kind: 'except', names: new Set(['le']) });
}

function binaryPartition(e: BinaryExpr): PartitionLabels | undefined {
  if (typeOf(e.lhs) === 'scalar') return readsNoSeries(e.lhs) ? partitionOf(e.rhs) : undefined;
  if (typeOf(e.rhs) === 'scalar') return readsNoSeries(e.rhs) ? partitionOf(e.lhs) : undefined;
  if (e.op !== 'and' && e.op !== 'or' && e.op !== 'unless') return undefined;
  const l = partitionOf(e.lhs);
  const r = partitionOf(e.rhs);
  if (!l || !r) return undefined;
  const join: PartitionLabels = e.matching.on ? { kind: 'only', names: [...e.matching.labels] } : { kind: 'except', names: new Set(e.matching.labels) };
  return intersect(intersect(l, r), join);
}

/**
 * The rule's shape. Labels the rule sets (and `alertname`) are left out of the partition: two
 * outputs differing only there collide into one alert, and must be evaluated together to see it.
 */
export function evaluationShape(expr: Expr, ruleLabelNames: readonly string[]): EvaluationShape {
  if (expr.kind === 'call' && expr.func === 'absent' && expr.args[0]?.kind === 'vector') return { kind: 'absent' };
  if (typeOf(expr) === 'scalar') return { kind: 'coalesced' };
  const p = partitionOf(expr);
  if (!p) return { kind: 'coalesced' };
  const partition = intersect(p, { kind: 'except', names: new Set([...ruleLabelNames, 'alertname']) });
  if (partition.kind === 'only' && partition.names.length === 0) return { kind: 'coalesced' };
  return { kind: 'scoped', partition };
}

/** The scope a touched series' labels give: its values on the partition labels ('' = absent). */
export function scopeOf(partition: PartitionLabels, labels: Readonly<Record<string, string>>): Scope {
  const out: Array<readonly [string, string]> = [];
  if (partition.kind === 'only') {
    for (const n of partition.names) out.push([n, labels[n] ?? '']);
    return out;
  }
  for (const n in labels) {
    const v = labels[n] as string;
    if (v !== '' && !partition.names.has(n)) out.push([n, v]);
  }
  return out;
}
