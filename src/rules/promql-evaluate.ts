import type { SignalStore } from '../signals/signal-store';
import { typeOf, type BinaryExpr, type Expr } from './promql-ast';
import { aggregate } from './promql-aggregate';
import { scalarBinary, setBinary, vectorBinary, vectorScalarBinary } from './promql-binary';
import { absent, applyRangeFunction } from './promql-functions';
import { type Scope, selectInstant, selectRange, selectsAnyInstant } from './promql-selectors';
import { EvaluationError, type EvalValue, type InstantVector } from './promql-values';

/**
 * Evaluates an expression at one instant, like a Prometheus instant query. Pure: reads the store,
 * changes nothing. With `scopes`, every selector sees only the series inside one of them (the
 * incremental engine's restriction, see incremental-shape.ts). Throws EvaluationError for what only shows at run time (many-to-many matching).
 */
export function evaluate(expr: Expr, store: SignalStore, atMs: number, scopes?: readonly Scope[]): EvalValue {
  if (typeOf(expr) === 'scalar') return { type: 'scalar', value: evaluateScalar(expr) };
  return { type: 'vector', vector: evaluateVector(expr, store, atMs, scopes) };
}

function evaluateScalar(e: Expr): number {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'unary':
      return -evaluateScalar(e.expr);
    case 'binary':
      return scalarBinary(e, evaluateScalar(e.lhs), evaluateScalar(e.rhs));
    default:
      throw new EvaluationError(`expected a scalar expression, got ${e.kind}`);
  }
}

function evaluateVector(e: Expr, store: SignalStore, atMs: number, sc: readonly Scope[] | undefined): InstantVector {
  switch (e.kind) {
    case 'vector':
      return selectInstant(e, store, atMs, sc);
    case 'unary':
      return evaluateVector(e.expr, store, atMs, sc).map((el) => ({ name: undefined, labels: el.labels, value: -el.value }));
    case 'binary':
      return evaluateBinary(e, store, atMs, sc);
    case 'aggregate':
      return aggregate(e.op, evaluateVector(e.expr, store, atMs, sc), e.without, e.grouping);
    case 'call':
      if (e.func === 'absent') {
        // Only emptiness matters: a plain selector stops at its first live series.
        if (e.arg.kind === 'vector' && sc === undefined) return absent(selectsAnyInstant(e.arg, store, atMs) ? [PRESENT] : [], e.arg);
        return absent(evaluateVector(e.arg, store, atMs, sc), e.arg.kind === 'vector' ? e.arg : undefined);
      }
      if (e.arg.kind !== 'matrix') throw new EvaluationError(`function "${e.func}" needs a range vector`);
      return applyRangeFunction(e.func, selectRange(e.arg, store, atMs, sc), e.arg.rangeMs, atMs);
    default:
      throw new EvaluationError(`expected an instant vector expression, got ${e.kind}`);
  }
}

const PRESENT = { name: undefined, labels: {}, value: 1 };

function evaluateBinary(e: BinaryExpr, store: SignalStore, atMs: number, sc: readonly Scope[] | undefined): InstantVector {
  const lt = typeOf(e.lhs);
  const rt = typeOf(e.rhs);
  if (lt === 'scalar') return vectorScalarBinary(e, evaluateVector(e.rhs, store, atMs, sc), evaluateScalar(e.lhs), true);
  if (rt === 'scalar') return vectorScalarBinary(e, evaluateVector(e.lhs, store, atMs, sc), evaluateScalar(e.rhs), false);
  const lhs = evaluateVector(e.lhs, store, atMs, sc);
  const rhs = evaluateVector(e.rhs, store, atMs, sc);
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return setBinary(e, lhs, rhs);
  return vectorBinary(e, lhs, rhs);
}
