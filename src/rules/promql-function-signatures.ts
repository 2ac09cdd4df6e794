import type { ValueType } from './promql-ast';

/**
 * The functions Warden evaluates, with Prometheus' signatures (promql/parser/functions.go):
 * argument types, how many trailing arguments are optional (-1: any number), the return type.
 * Native-histogram functions and experimental ones behind Prometheus feature flags are left out.
 */
export interface FunctionSignature {
  readonly args: readonly ValueType[];
  /** 0: exactly args.length; n > 0: the last n may be left out; -1: the last may repeat. */
  readonly variadic: number;
  readonly returns: ValueType;
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

const sig = (args: ValueType[], returns: ValueType, variadic = 0): FunctionSignature => ({ args, variadic, returns });

const MATH = ['abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'sgn', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'deg', 'rad'];
const OVER_TIME = ['avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time'];
const RANGE = ['rate', 'increase', 'delta', 'irate', 'idelta', 'deriv', 'changes', 'resets'];
const DATE = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];

export const FUNCTION_SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map<string, FunctionSignature>([
  ...MATH.map((n) => [n, sig([V], V)] as const),
  ...OVER_TIME.map((n) => [n, sig([M], V)] as const),
  ...RANGE.map((n) => [n, sig([M], V)] as const),
  ...DATE.map((n) => [n, sig([V], V, 1)] as const),
  ['quantile_over_time', sig([S, M], V)],
  ['predict_linear', sig([M, S], V)],
  ['absent', sig([V], V)],
  ['absent_over_time', sig([M], V)],
  ['round', sig([V, S], V, 1)],
  ['clamp', sig([V, S, S], V)],
  ['clamp_min', sig([V, S], V)],
  ['clamp_max', sig([V, S], V)],
  ['histogram_quantile', sig([S, V], V)],
  ['label_replace', sig([V, STR, STR, STR, STR], V)],
  ['label_join', sig([V, STR, STR, STR], V, -1)],
  ['sort', sig([V], V)],
  ['sort_desc', sig([V], V)],
  ['timestamp', sig([V], V)],
  ['time', sig([], S)],
  ['pi', sig([], S)],
  ['scalar', sig([V], S)],
  ['vector', sig([S], V)],
]);

/** Range functions: evaluated on a range vector, one output per input series. */
export const RANGE_FUNCTIONS: ReadonlySet<string> = new Set([...OVER_TIME, ...RANGE, 'quantile_over_time', 'predict_linear']);

/** Functions whose output keeps the input's metric name (everything else drops it, as in Prometheus). */
export const KEEPS_METRIC_NAME: ReadonlySet<string> = new Set(['last_over_time', 'sort', 'sort_desc', 'label_replace', 'label_join']);
