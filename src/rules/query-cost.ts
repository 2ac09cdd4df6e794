import type { SignalStore } from '../signals/signal-store';
import { childrenOf, type Expr, type VectorSelector } from './promql-ast';
import { forEachSelected } from './promql-selectors';

/**
 * How many samples an instant query would load, counted before it runs (Prometheus'
 * `--query.max-samples` idea, checked up front because Warden evaluates on its event loop and
 * cannot stop an evaluation half-way). An instant selector loads one sample per series, a range
 * selector every point its series keep (an upper bound of what is in the range), a subquery its
 * inner expression once per step. Counting stops as soon as the total passes `budget`, so refusing
 * an expensive query costs at most `budget` visits.
 */
export function samplesToLoad(expr: Expr, store: SignalStore, budget: number, defaultStepMs: number): number {
  return count(expr, store, budget, defaultStepMs);
}

function count(e: Expr, store: SignalStore, budget: number, defaultStepMs: number): number {
  switch (e.kind) {
    case 'vector':
      return countSelected(e, store, budget, () => 1);
    case 'matrix':
      return countSelected(e.vector, store, budget, (size) => size);
    case 'subquery': {
      const steps = Math.max(1, Math.ceil(e.rangeMs / (e.stepMs ?? defaultStepMs)));
      const inner = count(e.expr, store, Math.ceil(budget / steps), defaultStepMs);
      return inner * steps;
    }
    default: {
      let total = 0;
      for (const c of childrenOf(e)) {
        total += count(c, store, budget - total, defaultStepMs);
        if (total > budget) return total;
      }
      return total;
    }
  }
}

function countSelected(sel: VectorSelector, store: SignalStore, budget: number, cost: (points: number) => number): number {
  let total = 0;
  forEachSelected(sel, store, undefined, (s) => {
    total += cost(s.size);
    return total > budget;
  });
  return total;
}
