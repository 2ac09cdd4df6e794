import { TemplateFunctionError } from './errors';
import type { FunctionTable } from './function-types';
import { goSprintf } from './go-printf';
import { htmlEscape, jsEscape, queryEscape } from './go-strings';
import { formatValue, GoInt, GoMap, GoSlice, GoStruct, isTrue, typeName, type Value } from './values';

/** Go text/template's predefined functions (funcs.go), with Go's comparison rules and messages. */

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other';

function kindOf(v: Value): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return v === undefined || v === null ? 'invalid' : 'other';
}

const fail = (message: string): never => {
  throw new TemplateFunctionError(message);
};

const basic = (v: Value): number | string | boolean => (v instanceof GoInt ? v.v : (v as number | string | boolean));

function equal(a: Value, b: Value): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) return ka === 'invalid' || kb === 'invalid' ? false : fail('incompatible types for comparison');
  if (ka === 'invalid') return true;
  if (ka !== 'other') return basic(a) === basic(b);
  if (a instanceof GoMap || a instanceof GoSlice) return fail(`non-comparable type ${formatValue(a)}: ${typeName(a)}`);
  return a === b;
}

function less(a: Value, b: Value): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'invalid' || ka === 'other' || kb === 'invalid' || kb === 'other' || ka === 'bool' || kb === 'bool') return fail('invalid type for comparison');
  if (ka !== kb) return fail('incompatible types for comparison');
  return basic(a) < basic(b);
}

/** fmt.Sprint: a space between operands when neither side is a string. */
export function goSprint(args: readonly Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a === undefined ? null : a, false);
  });
  return out;
}

/** html/js/urlquery take one string as is, anything else through fmt.Sprint. */
const escaperInput = (args: readonly Value[]) => (args.length === 1 && typeof args[0] === 'string' ? args[0] : goSprint(args));

function index(item: Value, indices: readonly Value[]): Value {
  let v = item;
  for (const ix of indices) {
    if (v === null || v === undefined) return fail('index of untyped nil');
    if (v instanceof GoMap) {
      if (typeof ix !== 'string') return fail(`value has type ${typeName(ix)}; should be string`);
      v = v.get(ix);
      continue;
    }
    const len = v instanceof GoSlice ? v.items.length : typeof v === 'string' ? Buffer.byteLength(v) : -1;
    if (len < 0) return fail(`can't index item of type ${typeName(v)}`);
    if (!(ix instanceof GoInt)) return fail(`cannot index slice/array with type ${typeName(ix)}`);
    if (ix.v < 0 || ix.v >= len) return fail(`index out of range: ${ix.v}`);
    v = v instanceof GoSlice ? v.items[ix.v] : new GoInt(Buffer.from(v as string, 'utf8')[ix.v] as number);
  }
  return v;
}

function length(v: Value): GoInt {
  if (typeof v === 'string') return new GoInt(Buffer.byteLength(v));
  if (v instanceof GoSlice) return new GoInt(v.items.length);
  if (v instanceof GoMap) return new GoInt(Object.keys(v.entries).length);
  if (v === null || v === undefined) return fail('len of nil pointer');
  return fail(`len of type ${v instanceof GoStruct ? v.typeName : typeName(v)}`);
}

export const BUILTINS: FunctionTable = {
  and: { params: ['any'], variadic: 'any', shortCircuit: 'and', call: () => undefined },
  or: { params: ['any'], variadic: 'any', shortCircuit: 'or', call: () => undefined },
  not: { params: ['any'], call: ([a]) => !isTrue(a) },
  len: { params: ['any'], call: ([a]) => length(a) },
  index: { params: ['any'], variadic: 'any', call: ([item, ...ix]) => index(item, ix) },
  print: { params: [], variadic: 'any', call: (args) => goSprint(args) },
  println: { params: [], variadic: 'any', call: (args) => args.map((a) => formatValue(a === undefined ? null : a, false)).join(' ') + '\n' },
  printf: { params: ['string'], variadic: 'any', call: ([format, ...args]) => goSprintf(format as string, args) },
  html: { params: [], variadic: 'any', call: (args) => htmlEscape(escaperInput(args)) },
  js: { params: [], variadic: 'any', call: (args) => jsEscape(escaperInput(args)) },
  urlquery: { params: [], variadic: 'any', call: (args) => queryEscape(escaperInput(args)) },
  eq: {
    params: ['any'],
    variadic: 'any',
    call: ([a, ...rest]) => (rest.length === 0 ? fail('missing argument for comparison') : rest.some((b) => equal(a, b))),
  },
  ne: { params: ['any', 'any'], call: ([a, b]) => !equal(a, b) },
  lt: { params: ['any', 'any'], call: ([a, b]) => less(a, b) },
  le: { params: ['any', 'any'], call: ([a, b]) => less(a, b) || equal(a, b) },
  gt: { params: ['any', 'any'], call: ([a, b]) => !(less(a, b) || equal(a, b)) },
  ge: { params: ['any', 'any'], call: ([a, b]) => !less(a, b) },
};
