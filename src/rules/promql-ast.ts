/**
 * The PromQL subset Warden evaluates (issue 3 §4), as a typed tree built once at load. Anything
 * outside it is rejected by the parser, so the evaluator never meets a construct it cannot honour.
 */

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** Compiled once, fully anchored as Prometheus does (`^(?:re)$`), for =~ and !~. */
  readonly regex?: RegExp;
}

export interface VectorSelector {
  readonly kind: 'vector';
  /** The metric name when the selector pins one with `name` or `__name__="name"`; else undefined. */
  readonly metricName: string | undefined;
  /** Matchers other than the plain metric name (a regex on __name__ stays here). */
  readonly matchers: readonly LabelMatcher[];
}

export interface MatrixSelector {
  readonly kind: 'matrix';
  readonly vector: VectorSelector;
  readonly rangeMs: number;
}

export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly expr: Expr;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export interface VectorMatching {
  /** true for on(...), false for ignoring(...) (and for no clause: ignoring nothing). */
  readonly on: boolean;
  readonly labels: readonly string[];
}

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  readonly matching: VectorMatching;
}

export type RangeFunction = 'rate' | 'increase' | 'delta' | 'changes' | 'min_over_time' | 'max_over_time' | 'avg_over_time';
export type FunctionName = RangeFunction | 'absent';

export interface FunctionCall {
  readonly kind: 'call';
  readonly func: FunctionName;
  readonly arg: Expr;
}

export type AggregateOp = 'sum' | 'min' | 'max' | 'avg' | 'count';

export interface AggregateExpr {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** true for without(...), false for by(...) (and for no clause: by nothing). */
  readonly without: boolean;
  readonly grouping: readonly string[];
}

export type Expr = VectorSelector | MatrixSelector | NumberLiteral | UnaryExpr | BinaryExpr | FunctionCall | AggregateExpr;

export const RANGE_FUNCTIONS: ReadonlySet<string> = new Set<RangeFunction>(['rate', 'increase', 'delta', 'changes', 'min_over_time', 'max_over_time', 'avg_over_time']);
export const AGGREGATE_OPS: ReadonlySet<string> = new Set<AggregateOp>(['sum', 'min', 'max', 'avg', 'count']);

/** The static type of an expression, checked at parse time like Prometheus' checkAST. */
export type ValueType = 'vector' | 'matrix' | 'scalar';

export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'matrix':
      return 'matrix';
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    default:
      return 'vector';
  }
}

/** Calls `fn` for every node, depth first. */
export function walk(e: Expr, fn: (node: Expr) => void): void {
  fn(e);
  switch (e.kind) {
    case 'matrix':
      walk(e.vector, fn);
      break;
    case 'unary':
    case 'aggregate':
      walk(e.expr, fn);
      break;
    case 'call':
      walk(e.arg, fn);
      break;
    case 'binary':
      walk(e.lhs, fn);
      walk(e.rhs, fn);
      break;
    default:
      break;
  }
}
