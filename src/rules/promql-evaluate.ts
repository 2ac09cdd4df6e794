import type { SignalStore } from '../signals/signal-store';
import { typeOf, type AggregateExpr, type BinaryExpr, type Expr, type SubqueryExpr } from './promql-ast';
import { aggregate } from './promql-aggregate';
import { scalarBinary, setBinary, vectorBinary, vectorScalarBinary } from './promql-binary';
import { evaluateCall, referenceTime, type EvalContext } from './promql-call';
import { type Scope, selectInstant, selectRange } from './promql-selectors';
import { EvaluationError, type EvalValue, type InstantValue, type InstantVector, type RangeSeries } from './promql-values';

export interface EvaluateOptions {
  /** A subquery without a step (`x[5m:]`) steps by this: the rule group's interval. @defaultValue 60 s */
  readonly defaultStepMs?: number;
}

export type { EvalContext } from './promql-call';

/** Handed to function calls, so their arguments evaluate here (no import cycle). */
const SUB = { vector: (e: Expr, c: EvalContext, t: number) => evaluateVector(e, c, t), scalar: (e: Expr, c: EvalContext, t: number) => evaluateScalar(e, c, t), matrix: (e: Expr, c: EvalContext, t: number) => evaluateMatrix(e, c, t) };

/** Prometheus' cap on points per series in a query; a subquery asking for more is refused. */
const MAX_SUBQUERY_STEPS = 11_000;

/**
 * Evaluates an expression at one instant, like a Prometheus instant query. Pure: reads the store,
 * changes nothing. With `scopes`, every selector sees only the series inside one of them (the
 * incremental engine's restriction, see incremental-shape.ts). Throws EvaluationError for what
 * only shows at run time (many-to-many matching).
 */
export function evaluate(expr: Expr, store: SignalStore, atMs: number, scopes?: readonly Scope[], options: EvaluateOptions = {}): InstantValue {
  const ctx: EvalContext = { store, queryMs: atMs, lookbackMs: store.options.stalenessMs, scopes, defaultStepMs: options.defaultStepMs ?? 60_000 };
  const value = evaluateAt(expr, ctx, atMs);
  if (value.type === 'matrix' || value.type === 'string') throw new EvaluationError(`expression must be an instant vector or scalar, got ${value.type}`);
  return value;
}

export function evaluateAt(e: Expr, ctx: EvalContext, t: number): EvalValue {
  switch (typeOf(e)) {
    case 'scalar':
      return { type: 'scalar', value: evaluateScalar(e, ctx, t) };
    case 'matrix':
      return { type: 'matrix', matrix: evaluateMatrix(e, ctx, t) };
    case 'string':
      if (e.kind !== 'string') throw new EvaluationError('expected a string literal');
      return { type: 'string', value: e.value };
    default:
      return { type: 'vector', vector: evaluateVector(e, ctx, t) };
  }
}

export function evaluateScalar(e: Expr, ctx: EvalContext, t: number): number {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'unary':
      return -evaluateScalar(e.expr, ctx, t);
    case 'binary':
      return scalarBinary(e, evaluateScalar(e.lhs, ctx, t), evaluateScalar(e.rhs, ctx, t));
    case 'call': {
      const v = evaluateCall(e, ctx, t, SUB);
      if (v.type !== 'scalar') throw new EvaluationError(`function "${e.func}" does not return a scalar`);
      return v.value;
    }
    default:
      throw new EvaluationError(`expected a scalar expression, got ${e.kind}`);
  }
}

export function evaluateMatrix(e: Expr, ctx: EvalContext, t: number): RangeSeries[] {
  if (e.kind === 'matrix') return selectRange(e, ctx.store, referenceTime(e.vector, ctx, t), ctx.scopes);
  if (e.kind === 'subquery') return evaluateSubquery(e, ctx, t);
  throw new EvaluationError(`expected a range vector, got ${e.kind}`);
}

/** Subquery steps: multiples of the step after (reference - range), up to the reference time (left-open). */
function evaluateSubquery(e: SubqueryExpr, ctx: EvalContext, t: number): RangeSeries[] {
  const ref = referenceTime(e, ctx, t);
  const step = e.stepMs ?? ctx.defaultStepMs;
  let start = step * Math.floor((ref - e.rangeMs) / step);
  if (start <= ref - e.rangeMs) start += step;
  if ((ref - start) / step + 1 > MAX_SUBQUERY_STEPS) throw new EvaluationError(`subquery [${e.rangeMs / 1000}s:${step / 1000}s] would evaluate more than ${MAX_SUBQUERY_STEPS} steps`);
  const bySeries = new Map<string, { name: string | undefined; labels: RangeSeries['labels']; timestampsMs: number[]; values: number[] }>();
  for (let ts = start; ts <= ref; ts += step) {
    for (const el of evaluateVector(e.expr, ctx, ts)) {
      const key = seriesKeyOf(el.name, el.labels);
      let s = bySeries.get(key);
      if (!s) bySeries.set(key, (s = { name: el.name, labels: el.labels, timestampsMs: [], values: [] }));
      s.timestampsMs.push(ts);
      s.values.push(el.value);
    }
  }
  return [...bySeries.values()];
}

function seriesKeyOf(name: string | undefined, labels: Readonly<Record<string, string>>): string {
  let key = name ?? '';
  for (const k of Object.keys(labels).sort()) key += '\xff' + k + '\xff' + labels[k];
  return key;
}

export function evaluateVector(e: Expr, ctx: EvalContext, t: number): InstantVector {
  switch (e.kind) {
    case 'vector':
      return selectInstant(e, ctx.store, referenceTime(e, ctx, t), ctx.scopes, ctx.lookbackMs);
    case 'unary':
      return evaluateVector(e.expr, ctx, t).map((el) => ({ name: undefined, labels: el.labels, value: -el.value }));
    case 'binary':
      return evaluateBinary(e, ctx, t);
    case 'aggregate':
      return evaluateAggregate(e, ctx, t);
    case 'call': {
      const v = evaluateCall(e, ctx, t, SUB);
      if (v.type !== 'vector') throw new EvaluationError(`function "${e.func}" does not return an instant vector`);
      return v.vector;
    }
    default:
      throw new EvaluationError(`expected an instant vector expression, got ${e.kind}`);
  }
}

function evaluateAggregate(e: AggregateExpr, ctx: EvalContext, t: number): InstantVector {
  let param: number | string | undefined;
  if (e.param) param = e.param.kind === 'string' ? e.param.value : evaluateScalar(e.param, ctx, t);
  return aggregate(e.op, evaluateVector(e.expr, ctx, t), e.without, e.grouping, param);
}

function evaluateBinary(e: BinaryExpr, ctx: EvalContext, t: number): InstantVector {
  const lt = typeOf(e.lhs);
  const rt = typeOf(e.rhs);
  if (lt === 'scalar') return vectorScalarBinary(e, evaluateVector(e.rhs, ctx, t), evaluateScalar(e.lhs, ctx, t), true);
  if (rt === 'scalar') return vectorScalarBinary(e, evaluateVector(e.lhs, ctx, t), evaluateScalar(e.rhs, ctx, t), false);
  const lhs = evaluateVector(e.lhs, ctx, t);
  const rhs = evaluateVector(e.rhs, ctx, t);
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return setBinary(e, lhs, rhs);
  return vectorBinary(e, lhs, rhs);
}
