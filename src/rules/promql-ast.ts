/**
 * PromQL as Warden evaluates it (Prometheus 3.x float semantics), as a typed tree built once at
 * load. Anything outside it is rejected by the parser, so the evaluator never meets a construct it
 * cannot honour (what is left out is listed in README "Prometheus rule files").
 */
import { FUNCTION_SIGNATURES } from './promql-function-signatures';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** Compiled once, fully anchored as Prometheus does (`^(?:re)$`), for =~ and !~. */
  readonly regex?: RegExp;
}

/** `@ 1700000000`, `@ start()` or `@ end()` (both the evaluation instant of a rule). */
export type AtModifier = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'start' | 'end' };

/** `offset` and `@`, on a selector or a subquery. */
export interface TimeModifiers {
  /** 0 without `offset`; negative for `offset -5m`. */
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
}

export interface VectorSelector extends TimeModifiers {
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

/** `expr[range:step]`: the inner expression evaluated at every step inside the range. */
export interface SubqueryExpr extends TimeModifiers {
  readonly kind: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  /** undefined: the rule group's evaluation interval (Prometheus' default step). */
  readonly stepMs: number | undefined;
}

export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly expr: Expr;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  /** true for on(...), false for ignoring(...) (and for no clause: ignoring nothing). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** many-to-one for group_left, one-to-many for group_right, many-to-many for and/or/unless. */
  readonly card: Cardinality;
  /** The labels group_left(...)/group_right(...) copy from the "one" side. */
  readonly include: readonly string[];
}

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  readonly matching: VectorMatching;
}

export interface FunctionCall {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

export type AggregateOp = 'sum' | 'min' | 'max' | 'avg' | 'count' | 'group' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'quantile' | 'count_values';

export interface AggregateExpr {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** k of topk/bottomk, φ of quantile, the label name of count_values. */
  readonly param: Expr | undefined;
  /** true for without(...), false for by(...) (and for no clause: by nothing). */
  readonly without: boolean;
  readonly grouping: readonly string[];
}

export type Expr = VectorSelector | MatrixSelector | SubqueryExpr | NumberLiteral | StringLiteral | UnaryExpr | BinaryExpr | FunctionCall | AggregateExpr;

export const AGGREGATE_OPS: ReadonlySet<string> = new Set<AggregateOp>(['sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values']);
export const PARAM_AGGREGATES: ReadonlySet<string> = new Set<AggregateOp>(['topk', 'bottomk', 'quantile', 'count_values']);

/** The static type of an expression, checked at parse time like Prometheus' checkAST. */
export type ValueType = 'vector' | 'matrix' | 'scalar' | 'string';

export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'call':
      return FUNCTION_SIGNATURES.get(e.func)?.returns ?? 'vector';
    default:
      return 'vector';
  }
}

/** The expressions directly under `e`. */
export function childrenOf(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'matrix':
      return [e.vector];
    case 'unary':
    case 'subquery':
      return [e.expr];
    case 'aggregate':
      return e.param ? [e.param, e.expr] : [e.expr];
    case 'call':
      return e.args;
    case 'binary':
      return [e.lhs, e.rhs];
    default:
      return [];
  }
}

/** Calls `fn` for every node, depth first. */
export function walk(e: Expr, fn: (node: Expr) => void): void {
  fn(e);
  for (const c of childrenOf(e)) walk(c, fn);
}

/** True when no selector is inside: the value is the same for every series (a literal, time(), ...). */
export function readsNoSeries(e: Expr): boolean {
  let reads = false;
  walk(e, (n) => {
    if (n.kind === 'vector') reads = true;
  });
  return !reads;
}
