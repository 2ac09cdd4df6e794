import type { Value } from './values';

/**
 * How a template function is declared: Go checks each argument against the parameter's type
 * (`wrong type for value; expected string; got float64`), so each function states its types.
 */
export type ParamType = 'any' | 'string' | 'float' | 'int' | 'sample' | 'samples';

/** One sample of a `query` result: its labels (with __name__ when it has one) and value. */
export interface QuerySample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Evaluates a PromQL instant query for a template's `query` function; injected so templates stay pure. */
export type QueryFunction = (query: string) => readonly QuerySample[];

export interface CallEnv {
  readonly query: QueryFunction | undefined;
  readonly externalURL: string;
  /** Counts `query` calls against the render's budget; throws when it is spent. */
  spendQuery(): void;
}

export interface TemplateFunction {
  readonly params: readonly ParamType[];
  /** Type of any further arguments (Go's ...T); absent for fixed arity. */
  readonly variadic?: ParamType;
  /** and/or: arguments are evaluated lazily by the interpreter. */
  readonly shortCircuit?: 'and' | 'or';
  /** Throws (TemplateFunctionError or any Error) to fail the call: `error calling NAME: message`. */
  readonly call: (args: Value[], env: CallEnv) => Value;
}

export type FunctionTable = Readonly<Record<string, TemplateFunction>>;
