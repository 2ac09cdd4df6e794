import type { Expr } from './promql-ast';
import type { RuleSet } from './compiled-rule';
import { parsePromql } from './promql-parse';
import { forEachReach } from './range-window';

export interface HistoryPlan {
  /** metric -> history to keep (longest reach + margin); undefined: keep every metric's history. */
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
 * Which metrics a rule set reads in the past (a range, an offset, a subquery: rules and
 * remediation verify expressions, which evaluate through the same store), and for how long. A
 * selector with no metric name reading the past could read any metric: then every metric keeps
 * its history. `lookbackMs`: an instant selector reading the past looks back this far from there.
 */
export function historyPlan(set: RuleSet, marginMs: number, lookbackMs = 0): HistoryPlan {
  const ranges = new Map<string, number>();
  let anyMetric = false;
  let longest = 0;
  const visit = (e: Expr): void =>
    forEachReach(e, lookbackMs, (name, reach, instantNow) => {
      if (instantNow) return; // the latest point (and the one before) is always kept
      if (Number.isFinite(reach)) longest = Math.max(longest, reach);
      if (name === undefined) anyMetric = true;
      else ranges.set(name, Math.max(ranges.get(name) ?? 0, reach + marginMs));
    });
  for (const g of set.groups) for (const r of g.rules) visit(r.expr);
  for (const r of set.remediations) {
    const text = r.rule.verify?.expr;
    const e = text === undefined ? undefined : verifyExpr(text);
    if (e) visit(e);
  }
  return { byMetric: anyMetric ? undefined : ranges, longestRangeMs: longest };
}
