import type { Expr } from './promql-ast';

/**
 * The longest range an expression reads (`increase(x[5m])` -> 5 m), 0 when it reads none. A rule
 * with a range cannot be judged from less data than that: after a restart its window holds only
 * what arrived since (see RuleEngine.restore).
 */
export function longestRangeMs(e: Expr): number {
  switch (e.kind) {
    case 'matrix':
      return e.rangeMs;
    case 'unary':
    case 'aggregate':
      return longestRangeMs(e.expr);
    case 'call':
      return longestRangeMs(e.arg);
    case 'binary':
      return Math.max(longestRangeMs(e.lhs), longestRangeMs(e.rhs));
    default:
      return 0;
  }
}
