import { walk, type Expr } from './promql-ast';
import type { RuleSet } from './compiled-rule';
import { parsePromql } from './promql-parse';

export interface HistoryPlan {
  /** metric -> history to keep (longest range read + margin); undefined: keep every metric's history. */
  readonly byMetric: ReadonlyMap<string, number> | undefined;
  readonly longestRangeMs: number;
}

/** `{{ $labels.x }}` placeholders filled as the remediation schema checks them at load. */
function verifyExpr(text: string): Expr | undefined {
  try {
    return parsePromql(text.replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    return undefined; // rejected at load already (remediation-rule-schema.ts): nothing to keep for it
  }
}

/**
 * Which metrics a rule set reads with a range function (rules and remediation verify
 * expressions, which evaluate through the same store), and for how long. A range over a
 * selector with no metric name could read any metric: then every metric keeps its history.
 */
export function historyPlan(set: RuleSet, marginMs: number): HistoryPlan {
  const ranges = new Map<string, number>();
  let anyMetric = false;
  let longest = 0;
  const visit = (e: Expr): void =>
    walk(e, (node) => {
      if (node.kind !== 'matrix') return;
      longest = Math.max(longest, node.rangeMs);
      const name = node.vector.metricName;
      if (name === undefined) anyMetric = true;
      else ranges.set(name, Math.max(ranges.get(name) ?? 0, node.rangeMs + marginMs));
    });
  for (const g of set.groups) for (const r of g.rules) visit(r.expr);
  for (const r of set.remediations) {
    const text = r.rule.verify?.expr;
    const e = text === undefined ? undefined : verifyExpr(text);
    if (e) visit(e);
  }
  return { byMetric: anyMetric ? undefined : ranges, longestRangeMs: longest };
}
