import { evaluate } from '../rules/promql-evaluate';
import { parsePromql } from '../rules/promql-parse';
import type { SignalStore } from '../signals/signal-store';
import type { VerifyCheck } from './verify';

/**
 * The verify check the composition root can wire: a rule's `verify.expr` holds when it returns
 * at least one sample now (a comparison such as `component_up{component="x"} == 1` returns none
 * while it is false), or a non-zero scalar. Parsed expressions are cached; rendering makes few.
 */
export function promqlVerifyCheck(store: SignalStore, clock: () => number = Date.now): VerifyCheck {
  const parsed = new Map<string, ReturnType<typeof parsePromql>>();
  return (expr: string) => {
    let e = parsed.get(expr);
    if (!e) {
      e = parsePromql(expr);
      if (parsed.size > 1000) parsed.clear();
      parsed.set(expr, e);
    }
    const v = evaluate(e, store, clock());
    return v.type === 'vector' ? v.vector.length > 0 : v.value !== 0;
  };
}
