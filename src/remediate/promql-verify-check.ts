import { evaluate } from '../rules/promql-evaluate';
import type { SignalStore } from '../signals/signal-store';
import type { VerifyCheck } from './verify';

/**
 * The verify check the composition root can wire: a rule's `verify.expr` holds when it returns
 * at least one sample now (a comparison such as `component_up{component="x"} == 1` returns none
 * while it is false), or a non-zero scalar. It evaluates the tree built from the parsed template
 * (verify-template.ts); no label value is ever parsed as PromQL.
 */
export function promqlVerifyCheck(store: SignalStore, clock: () => number = Date.now): VerifyCheck {
  return (query) => {
    const v = evaluate(query.expr, store, clock());
    return v.type === 'vector' ? v.vector.length > 0 : v.value !== 0;
  };
}
