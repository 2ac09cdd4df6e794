import type { Operand } from './ast';
import type { ParamType } from './function-types';
import type { GoNumber } from './literals';
import { GoInt, GoSlice, GoStruct, QUERY_RESULT_TYPE, SAMPLE_TYPE, typeName, type Value } from './values';

/** Go's argument conversion (exec.go evalArg/validateType): a message string means a type error. */
type Checked = { readonly value: Value } | string;

const GO_TYPE: Record<ParamType, string> = { any: 'interface {}', string: 'string', float: 'float64', int: 'int', sample: SAMPLE_TYPE, samples: QUERY_RESULT_TYPE };

/** A number literal where any value goes: an int unless written as a float (`1.0`, `1e3`). */
export function idealConstant(n: GoNumber): Checked {
  if (n.isFloat && !n.isRune && !/^[+-]?0[xX]/.test(n.text) && /[.eEpP]/.test(n.text)) return { value: n.value };
  if (n.isInt) return { value: new GoInt(n.value) };
  return `${n.text} overflows int`;
}

/** A literal argument converted to the parameter's type; undefined when the operand is not a literal. */
export function constantArg(node: Operand, type: ParamType): Checked | undefined {
  switch (node.kind) {
    case 'number':
      if (type === 'any') return idealConstant(node.num);
      if (type === 'float') return node.num.isFloat ? { value: node.num.value } : `expected float; found ${node.num.text}`;
      if (type === 'int') return node.num.isInt ? { value: new GoInt(node.num.value) } : `expected integer; found ${node.num.text}`;
      return type === 'string' ? `expected string; found ${node.num.text}` : `can't handle ${node.num.text} for arg of type ${GO_TYPE[type]}`;
    case 'string':
      if (type === 'any' || type === 'string') return { value: node.value };
      return type === 'float' || type === 'int' ? `expected ${type === 'int' ? 'integer' : 'float'}; found ${JSON.stringify(node.value)}` : `can't handle ${JSON.stringify(node.value)} for arg of type ${GO_TYPE[type]}`;
    case 'bool':
      return type === 'any' ? { value: node.value } : `expected ${type === 'float' ? 'float' : type === 'int' ? 'integer' : type}; found ${node.value}`;
    case 'nil':
      return type === 'any' || type === 'sample' || type === 'samples' ? { value: null } : `cannot assign nil to ${GO_TYPE[type]}`;
    default:
      return undefined;
  }
}

/** A computed value checked against the parameter's type, as Go's validateType. */
export function coerceArg(v: Value, type: ParamType): Checked {
  if (type === 'any') return { value: v === undefined ? null : v };
  if (v === undefined || v === null) return type === 'sample' || type === 'samples' ? { value: null } : `invalid value; expected ${GO_TYPE[type]}`;
  const ok =
    (type === 'string' && typeof v === 'string') ||
    (type === 'float' && typeof v === 'number') ||
    (type === 'int' && v instanceof GoInt) ||
    (type === 'sample' && v instanceof GoStruct && v.typeName === SAMPLE_TYPE) ||
    (type === 'samples' && v instanceof GoSlice && v.typeName === QUERY_RESULT_TYPE);
  return ok ? { value: v } : `wrong type for value; expected ${GO_TYPE[type]}; got ${typeName(v)}`;
}
