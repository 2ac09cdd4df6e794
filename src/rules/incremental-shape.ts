import { typeOf, type BinaryExpr, type Expr } from './promql-ast';
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

/**
 * Why each case holds: a selector's or a range function's output keeps its series' labels; a
 * scalar comparison or arithmetic keeps them too; and/or/unless pass elements through and relate
 * the two sides only through equal signatures, so both sides agree on the on(...) labels, or on
 * everything but the ignoring(...) ones. Vector arithmetic and comparisons (which throw on
 * many-to-many matches across the whole vector), aggregations, absent() inside an expression and
 * selectors without a metric name (two metrics can yield the same label set) are not partitioned.
 */
function partitionOf(e: Expr): PartitionLabels | undefined {
  switch (e.kind) {
    case 'number':
      return ALL;
    case 'vector':
      return e.metricName === undefined ? undefined : ALL;
    case 'call':
      if (e.func === 'absent' || e.arg.kind !== 'matrix') return undefined;
      return e.arg.vector.metricName === undefined ? undefined : ALL;
    case 'unary':
      return partitionOf(e.expr);
    case 'binary':
      return binaryPartition(e);
    default:
      return undefined;
  }
}

function binaryPartition(e: BinaryExpr): PartitionLabels | undefined {
  if (typeOf(e.lhs) === 'scalar') return partitionOf(e.rhs);
  if (typeOf(e.rhs) === 'scalar') return partitionOf(e.lhs);
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
  if (expr.kind === 'call' && expr.func === 'absent' && expr.arg.kind === 'vector') return { kind: 'absent' };
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
