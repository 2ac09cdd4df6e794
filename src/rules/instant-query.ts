import type { Labels } from '../signals/sample';
import type { SignalStore } from '../signals/signal-store';
import type { Expr } from './promql-ast';
import { evaluateAt, type EvalContext } from './promql-evaluate';
import { PromqlError } from './promql-error';
import { parsePromql } from './promql-parse';
import { EvaluationError, type EvalValue, type InstantVector, type RangeSeries } from './promql-values';
import { samplesToLoad } from './query-cost';

/** What bounds one query (the query text is untrusted input). */
export interface QueryLimits {
  /** Longer query text is refused before parsing. */
  readonly maxQueryBytes: number;
  /** Samples a query may load (query-cost.ts), checked before it runs. */
  readonly maxSamples: number;
  /** Series a result may hold without an explicit `limit`. */
  readonly maxResultSeries: number;
  /** A subquery without a step (`x[5m:]`) steps by this (Prometheus: the global evaluation interval). */
  readonly defaultStepMs: number;
}

/** Why a query failed, in Prometheus' errorType terms: bad_data (400) for the text, execution (422) for running it. */
export class QueryError extends Error {
  readonly errorType: 'bad_data' | 'execution';
  constructor(errorType: 'bad_data' | 'execution', message: string) {
    super(message);
    this.name = 'QueryError';
    this.errorType = errorType;
  }
}

export interface QueryOutcome {
  readonly value: EvalValue;
  readonly warnings: readonly string[];
}

/** Functions and aggregations whose result order is the answer: Prometheus keeps it, so does Warden. */
const ORDERED = new Set(['sort', 'sort_desc', 'topk', 'bottomk']);

/**
 * An instant query over Warden's store, like Prometheus' /api/v1/query: parsed with Warden's PromQL
 * parser (range vectors allowed at the top, as Prometheus allows), refused before it runs when it
 * would load more than `maxSamples`, and its result bounded to `maxResultSeries` series (or cut to
 * `resultLimit`, with a warning, as Prometheus 3's `limit`). Pure: reads the store, changes nothing.
 */
export function instantQuery(text: string, store: SignalStore, atMs: number, limits: QueryLimits, resultLimit?: number): QueryOutcome {
  const expr = parseQuery(text, limits);
  const loads = samplesToLoad(expr, store, limits.maxSamples, limits.defaultStepMs);
  if (loads > limits.maxSamples) {
    // Prometheus' own message for --query.max-samples, so tools that know it recognise it.
    throw new QueryError('execution', `query processing would load too many samples into memory in query execution (more than ${limits.maxSamples})`);
  }
  const ctx: EvalContext = { store, queryMs: atMs, lookbackMs: store.options.stalenessMs, scopes: undefined, defaultStepMs: limits.defaultStepMs };
  let value: EvalValue;
  try {
    value = evaluateAt(expr, ctx, atMs);
  } catch (err) {
    if (err instanceof EvaluationError) throw new QueryError('execution', err.message);
    if (err instanceof RangeError) throw new QueryError('bad_data', `query is nested too deeply to evaluate: ${err.message}`);
    throw err;
  }
  return bound(value, isOrdered(expr), limits.maxResultSeries, resultLimit);
}

function parseQuery(text: string, limits: QueryLimits): Expr {
  if (text.trim() === '') throw new QueryError('bad_data', '1:1: parse error: no expression found in input');
  if (Buffer.byteLength(text) > limits.maxQueryBytes) throw new QueryError('bad_data', `query is over ${limits.maxQueryBytes} bytes`);
  try {
    return parsePromql(text, { allowRange: true });
  } catch (err) {
    if (err instanceof PromqlError) throw new QueryError('bad_data', `${position(text, err.offset)}: parse error: ${err.message}`);
    if (err instanceof RangeError) throw new QueryError('bad_data', `query is nested too deeply to parse: ${err.message}`);
    throw err;
  }
}

/** `line:column`, 1-based, as Prometheus prefixes parse errors. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before[before.length - 1]?.length ?? 0) + 1}`;
}

function isOrdered(e: Expr): boolean {
  if (e.kind === 'call') return ORDERED.has(e.func);
  if (e.kind === 'aggregate') return ORDERED.has(e.op);
  return false;
}

function bound(value: EvalValue, ordered: boolean, maxSeries: number, resultLimit: number | undefined): QueryOutcome {
  if (value.type !== 'vector' && value.type !== 'matrix') return { value, warnings: [] };
  const list: Array<InstantVector[number] | RangeSeries> = value.type === 'vector' ? value.vector : value.matrix;
  if (resultLimit === undefined && list.length > maxSeries) {
    throw new QueryError('execution', `query result has ${list.length} series, more than ${maxSeries}: narrow the selector or pass limit=`);
  }
  if (!ordered) list.sort((a, b) => compareSeries(a.name, a.labels, b.name, b.labels));
  if (resultLimit === undefined || list.length <= resultLimit) return { value, warnings: [] };
  const cut = list.slice(0, resultLimit);
  const truncated: EvalValue = value.type === 'vector' ? { type: 'vector', vector: cut as InstantVector } : { type: 'matrix', matrix: cut as RangeSeries[] };
  return { value: truncated, warnings: ['results truncated due to limit'] };
}

/** Prometheus' labels.Compare: label pairs in byte order of their names (__name__ among them), then by count. */
export function compareSeries(an: string | undefined, al: Labels, bn: string | undefined, bl: Labels): number {
  const a = pairs(an, al);
  const b = pairs(bn, bl);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
    if (x[1] !== y[1]) return x[1] < y[1] ? -1 : 1;
  }
  return a.length - b.length;
}

function pairs(name: string | undefined, labels: Labels): Array<[string, string]> {
  const out: Array<[string, string]> = Object.keys(labels).map((k) => [k, labels[k] as string]);
  if (name !== undefined) out.push(['__name__', name]);
  return out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}
