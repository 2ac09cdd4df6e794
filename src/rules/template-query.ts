import type { SignalStore } from '../signals/signal-store';
import type { QueryFunction, QuerySample } from './annotation-template';
import type { Expr } from './promql-ast';
import { evaluate } from './promql-evaluate';
import { PromqlError } from './promql-error';
import { parsePromql } from './promql-parse';

/**
 * A template's `query` over Warden's store at the evaluation time (Prometheus' EngineQueryFunc): a
 * vector's samples with __name__ put back in their labels, a scalar as one sample with no labels.
 * Only PromQL Warden evaluates works; anything else fails the call, and so the annotation shows it.
 */
const MAX_CACHED = 256;
const parsed = new Map<string, Expr | PromqlError>();

function parseCached(query: string): Expr {
  let expr = parsed.get(query);
  if (expr === undefined) {
    try {
      expr = parsePromql(query);
    } catch (err) {
      if (!(err instanceof PromqlError)) throw err;
      expr = err;
    }
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value as string);
    parsed.set(query, expr);
  }
  if (expr instanceof PromqlError) throw new Error(`invalid query ${JSON.stringify(query)}: ${expr.message}`);
  return expr;
}

export function storeQueryFunction(store: SignalStore, atMs: number): QueryFunction {
  return (query: string): QuerySample[] => {
    const result = evaluate(parseCached(query), store, atMs);
    if (result.type === 'scalar') return [{ labels: {}, value: result.value }];
    return result.vector.map((el) => ({ labels: el.name === undefined ? el.labels : { __name__: el.name, ...el.labels }, value: el.value }));
  };
}
