import type { BinaryOp, Expr, ValueType, VectorMatching } from './promql-ast';
import { typeOf } from './promql-ast';
import { PromqlError } from './promql-error';
import type { FunctionSignature } from './promql-function-signatures';

/** Prometheus' checkAST rules, with its messages, for what the lezer grammar lets through. */

export function describe(t: string): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

export function anchoredRegex(source: string, offset: number): RegExp {
  try {
    // Prometheus anchors label regexes at both ends; `s` lets `.` match newlines as RE2 does with (?s).
    return new RegExp(`^(?:${source})$`, 's');
  } catch (err) {
    throw new PromqlError(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`, offset);
  }
}

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

export function isSetOp(op: BinaryOp): boolean {
  return SET_OPS.has(op);
}

export function checkBinary(op: BinaryOp, lt: ValueType, rt: ValueType, returnBool: boolean, matching: VectorMatching, offset: number): void {
  if (lt === 'matrix' || rt === 'matrix' || lt === 'string' || rt === 'string') throw new PromqlError('binary expression must contain only scalar and instant vector types', offset);
  if (returnBool && !COMPARISONS.has(op)) throw new PromqlError('bool modifier can only be used on comparison operators', offset);
  const scalars = lt === 'scalar' && rt === 'scalar';
  if (scalars && COMPARISONS.has(op) && !returnBool) throw new PromqlError('comparisons between scalars must use BOOL modifier', offset);
  if (SET_OPS.has(op) && (lt === 'scalar' || rt === 'scalar')) throw new PromqlError(`set operator "${op}" not allowed in binary scalar expression`, offset);
  const explicit = matching.on || matching.labels.length > 0 || (matching.card !== 'one-to-one' && !SET_OPS.has(op));
  if ((lt === 'scalar' || rt === 'scalar') && explicit) throw new PromqlError('vector matching only allowed between instant vectors', offset);
  if (SET_OPS.has(op) && (matching.include.length > 0 || matching.card === 'many-to-one' || matching.card === 'one-to-many')) {
    throw new PromqlError(`no grouping allowed for "${op}" operation`, offset);
  }
  if (matching.on) {
    for (const l of matching.include) if (matching.labels.includes(l)) throw new PromqlError(`label "${l}" must not occur in ON and GROUP clause at once`, offset);
  }
}

export function checkCall(name: string, sig: FunctionSignature, args: readonly Expr[], offsets: readonly number[], at: number): void {
  const n = args.length;
  const min = sig.variadic > 0 ? sig.args.length - sig.variadic : sig.variadic < 0 ? sig.args.length : sig.args.length;
  const max = sig.variadic < 0 ? Infinity : sig.args.length;
  if (n < min || n > max) {
    const want = sig.variadic === 0 ? `${sig.args.length}` : sig.variadic < 0 ? `at least ${min}` : `${min} to ${max}`;
    throw new PromqlError(`expected ${want} argument(s) in call to "${name}", got ${n}`, at);
  }
  args.forEach((a, i) => {
    const want = sig.args[Math.min(i, sig.args.length - 1)] as ValueType;
    const got = typeOf(a);
    if (got !== want) throw new PromqlError(`expected type ${describe(want)} in call to function "${name}", got ${describe(got)}`, offsets[i] ?? at);
  });
}
