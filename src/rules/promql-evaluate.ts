import type { SignalStore } from '../signals/signal-store';
import { typeOf, type BinaryExpr, type Expr } from './promql-ast';
import { aggregate } from './promql-aggregate';
import { scalarBinary, setBinary, vectorBinary, vectorScalarBinary } from './promql-binary';
import { absent, applyRangeFunction } from './promql-functions';
import { selectInstant, selectRange } from './promql-selectors';
import { EvaluationError, type EvalValue, type InstantVector } from './promql-values';

/**
 * Evaluates an expression at one instant, like a Prometheus instant query. Pure: reads the store,
 * changes nothing. Throws EvaluationError for what only shows at run time (many-to-many matching).
 */
export function evaluate(expr: Expr, store: SignalStore, atMs: number): EvalValue {
  if (typeOf(expr) === 'scalar') return { type: 'scalar', value: evaluateScalar(expr) };
  return { type: 'vector', vector: evaluateVector(expr, store, atMs) };
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

function evaluateVector(e: Expr, store: SignalStore, atMs: number): InstantVector {
  switch (e.kind) {
    case 'vector':
      return selectInstant(e, store, atMs);
    case 'unary':
      return evaluateVector(e.expr, store, atMs).map((el) => ({ name: undefined, labels: el.labels, value: -el.value }));
    case 'binary':
      return evaluateBinary(e, store, atMs);
    case 'aggregate':
      return aggregate(e.op, evaluateVector(e.expr, store, atMs), e.without, e.grouping);
    case 'call':
      if (e.func === 'absent') return absent(evaluateVector(e.arg, store, atMs), e.arg.kind === 'vector' ? e.arg : undefined);
      if (e.arg.kind !== 'matrix') throw new EvaluationError(`function "${e.func}" needs a range vector`);
      return applyRangeFunction(e.func, selectRange(e.arg, store, atMs), e.arg.rangeMs, atMs);
    default:
      throw new EvaluationError(`expected an instant vector expression, got ${e.kind}`);
  }
}

function evaluateBinary(e: BinaryExpr, store: SignalStore, atMs: number): InstantVector {
  const lt = typeOf(e.lhs);
  const rt = typeOf(e.rhs);
  if (lt === 'scalar') return vectorScalarBinary(e, evaluateVector(e.rhs, store, atMs), evaluateScalar(e.lhs), true);
  if (rt === 'scalar') return vectorScalarBinary(e, evaluateVector(e.lhs, store, atMs), evaluateScalar(e.rhs), false);
  const lhs = evaluateVector(e.lhs, store, atMs);
  const rhs = evaluateVector(e.rhs, store, atMs);
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return setBinary(e, lhs, rhs);
  return vectorBinary(e, lhs, rhs);
}
