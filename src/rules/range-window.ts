import type { Expr } from './promql-ast';

/**
 * Calls `fn` for every selector with how far back from the evaluation time it reads (offset,
 * range and enclosing subqueries added up; an instant selector adds `lookbackMs` once it reads
 * the past). `@ <time>` reads a fixed instant: Infinity (the store keeps what its bounds allow).
 */
export function forEachReach(e: Expr, lookbackMs: number, fn: (metricName: string | undefined, reachMs: number, instantNow: boolean) => void, extraMs = 0): void {
  switch (e.kind) {
    case 'vector': {
      const pinned = e.at !== undefined && e.at.kind === 'time';
      const back = extraMs + Math.max(0, e.offsetMs);
      fn(e.metricName, pinned ? Infinity : back + (back > 0 ? lookbackMs : 0), back === 0 && !pinned);
      return;
    }
    case 'matrix': {
      const v = e.vector;
      const pinned = v.at !== undefined && v.at.kind === 'time';
      fn(v.metricName, pinned ? Infinity : extraMs + Math.max(0, v.offsetMs) + e.rangeMs, false);
      return;
    }
    case 'subquery':
      forEachReach(e.expr, lookbackMs, fn, extraMs + Math.max(0, e.offsetMs) + e.rangeMs);
      return;
    case 'unary':
      forEachReach(e.expr, lookbackMs, fn, extraMs);
      return;
    case 'aggregate':
      if (e.param) forEachReach(e.param, lookbackMs, fn, extraMs);
      forEachReach(e.expr, lookbackMs, fn, extraMs);
      return;
    case 'call':
      for (const a of e.args) forEachReach(a, lookbackMs, fn, extraMs);
      return;
    case 'binary':
      forEachReach(e.lhs, lookbackMs, fn, extraMs);
      forEachReach(e.rhs, lookbackMs, fn, extraMs);
      return;
    default:
      return;
  }
}

/**
 * The longest span of the past an expression reads (`increase(x[5m])` -> 5 m, `x offset 1h` ->
 * 1 h), 0 when it reads only current values. A rule cannot be judged from less data than that:
 * after a restart its window holds only what arrived since (see RuleEngine.restore).
 */
export function longestRangeMs(e: Expr): number {
  let longest = 0;
  forEachReach(e, 0, (_name, reach) => {
    if (Number.isFinite(reach)) longest = Math.max(longest, reach);
  });
  return longest;
}
