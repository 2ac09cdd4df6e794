import type { SignalStore } from '../signals/signal-store';
import type { Expr, FunctionCall, TimeModifiers, VectorSelector } from './promql-ast';
import { RANGE_FUNCTIONS } from './promql-function-signatures';
import { absent, applyRangeFunction } from './promql-functions';
import { clamp, dateFunction, histogramQuantile, isMathFunction, labelJoin, labelReplace, mathFunction, round, sortByValue } from './promql-instant-functions';
import { type Scope, selectInstant, selectsAnyInstant } from './promql-selectors';
import { EvaluationError, type EvalValue, type InstantVector, type RangeSeries } from './promql-values';

/** What every node of one evaluation shares. */
export interface EvalContext {
  readonly store: SignalStore;
  /** The rule's evaluation instant: what `@ start()` and `@ end()` mean, even inside a subquery. */
  readonly queryMs: number;
  readonly lookbackMs: number;
  readonly scopes: readonly Scope[] | undefined;
  readonly defaultStepMs: number;
}

/** The evaluator's entry points for a call's arguments (handed in: promql-evaluate imports this file). */
export interface ArgumentEvaluator {
  vector(e: Expr, ctx: EvalContext, t: number): InstantVector;
  scalar(e: Expr, ctx: EvalContext, t: number): number;
  matrix(e: Expr, ctx: EvalContext, t: number): RangeSeries[];
}

/** The instant a selector or subquery reads: `@` replaces the evaluation time, `offset` moves back from it. */
export function referenceTime(m: TimeModifiers, ctx: EvalContext, t: number): number {
  const base = m.at === undefined ? t : m.at.kind === 'time' ? m.at.ms : ctx.queryMs;
  return base - m.offsetMs;
}

const PRESENT: InstantVector = [{ name: undefined, labels: {}, value: 1 }];

function vectorOf(v: InstantVector): EvalValue {
  return { type: 'vector', vector: v };
}

function stringArg(e: Expr | undefined): string {
  if (e?.kind !== 'string') throw new EvaluationError('expected a string literal argument');
  return e.value;
}

/** The selector a range argument reads (absent_over_time takes its labels), if it is one. */
function rangeSelector(e: Expr): VectorSelector | undefined {
  return e.kind === 'matrix' ? e.vector : undefined;
}

/** A range function: the range argument is the last but for predict_linear (first); the other is a scalar. */
function rangeCall(e: FunctionCall, ctx: EvalContext, t: number, ev: ArgumentEvaluator): InstantVector {
  const rangeArg = (e.func === 'quantile_over_time' ? e.args[1] : e.args[0]) as Expr;
  const paramArg = e.func === 'quantile_over_time' ? e.args[0] : e.func === 'predict_linear' ? e.args[1] : undefined;
  const param = paramArg ? ev.scalar(paramArg, ctx, t) : NaN;
  const matrix = ev.matrix(rangeArg, ctx, t);
  if (rangeArg.kind !== 'matrix' && rangeArg.kind !== 'subquery') throw new EvaluationError(`function "${e.func}" needs a range vector`);
  const modifiers = rangeArg.kind === 'matrix' ? rangeArg.vector : rangeArg;
  // extrapolation works on the window actually read; predict_linear predicts from the evaluation time
  const atMs = e.func === 'predict_linear' ? t : referenceTime(modifiers, ctx, t);
  return applyRangeFunction(e.func, matrix, rangeArg.rangeMs, atMs, param);
}

/** timestamp(): a selector's own sample times; any other expression's elements are "now". */
function timestampCall(arg: Expr, ctx: EvalContext, t: number, ev: ArgumentEvaluator): InstantVector {
  if (arg.kind === 'vector') {
    const times: number[] = [];
    const v = selectInstant(arg, ctx.store, referenceTime(arg, ctx, t), ctx.scopes, ctx.lookbackMs, times);
    return v.map((el, i) => ({ name: undefined, labels: el.labels, value: (times[i] as number) / 1000 }));
  }
  return ev.vector(arg, ctx, t).map((el) => ({ name: undefined, labels: el.labels, value: t / 1000 }));
}

function absentCall(arg: Expr, ctx: EvalContext, t: number, ev: ArgumentEvaluator): InstantVector {
  // Only emptiness matters: a plain selector stops at its first live series.
  if (arg.kind === 'vector' && ctx.scopes === undefined) {
    return absent(selectsAnyInstant(arg, ctx.store, referenceTime(arg, ctx, t), ctx.lookbackMs) ? PRESENT : [], arg);
  }
  return absent(ev.vector(arg, ctx, t), arg.kind === 'vector' ? arg : undefined);
}

export function evaluateCall(e: FunctionCall, ctx: EvalContext, t: number, ev: ArgumentEvaluator): EvalValue {
  const [a0, a1, a2] = e.args;
  if (RANGE_FUNCTIONS.has(e.func)) return vectorOf(rangeCall(e, ctx, t, ev));
  if (isMathFunction(e.func)) return vectorOf(mathFunction(e.func, ev.vector(a0 as Expr, ctx, t)));
  switch (e.func) {
    case 'time':
      return { type: 'scalar', value: t / 1000 };
    case 'pi':
      return { type: 'scalar', value: Math.PI };
    case 'scalar': {
      const v = ev.vector(a0 as Expr, ctx, t);
      return { type: 'scalar', value: v.length === 1 ? (v[0]?.value as number) : NaN };
    }
    case 'vector':
      return vectorOf([{ name: undefined, labels: {}, value: ev.scalar(a0 as Expr, ctx, t) }]);
    case 'timestamp':
      return vectorOf(timestampCall(a0 as Expr, ctx, t, ev));
    case 'absent':
      return vectorOf(absentCall(a0 as Expr, ctx, t, ev));
    case 'absent_over_time':
      return vectorOf(absent(ev.matrix(a0 as Expr, ctx, t).length > 0 ? PRESENT : [], rangeSelector(a0 as Expr)));
    case 'round':
      return vectorOf(round(ev.vector(a0 as Expr, ctx, t), a1 ? ev.scalar(a1, ctx, t) : 1));
    case 'clamp':
      return vectorOf(clamp(ev.vector(a0 as Expr, ctx, t), ev.scalar(a1 as Expr, ctx, t), ev.scalar(a2 as Expr, ctx, t)));
    case 'clamp_min':
      return vectorOf(clamp(ev.vector(a0 as Expr, ctx, t), ev.scalar(a1 as Expr, ctx, t), Infinity));
    case 'clamp_max':
      return vectorOf(clamp(ev.vector(a0 as Expr, ctx, t), -Infinity, ev.scalar(a1 as Expr, ctx, t)));
    case 'histogram_quantile':
      return vectorOf(histogramQuantile(ev.scalar(a0 as Expr, ctx, t), ev.vector(a1 as Expr, ctx, t)));
    case 'label_replace':
      return vectorOf(labelReplace(ev.vector(a0 as Expr, ctx, t), stringArg(a1), stringArg(a2), stringArg(e.args[3]), stringArg(e.args[4])));
    case 'label_join':
      return vectorOf(labelJoin(ev.vector(a0 as Expr, ctx, t), stringArg(a1), stringArg(a2), e.args.slice(3).map(stringArg)));
    case 'sort':
    case 'sort_desc':
      return vectorOf(sortByValue(ev.vector(a0 as Expr, ctx, t), e.func === 'sort_desc'));
    default:
      break;
  }
  if (['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'].includes(e.func)) {
    const input = a0 ? ev.vector(a0, ctx, t) : [{ name: undefined, labels: {}, value: t / 1000 }];
    return vectorOf(dateFunction(e.func, input));
  }
  throw new EvaluationError(`function "${e.func}" is not implemented`);
}
