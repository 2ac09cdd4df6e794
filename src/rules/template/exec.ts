import type { BlockNode, Command, Operand, Pipeline, TemplateNode } from './ast';
import { goPosition, TemplateExecError } from './errors';
import { coerceArg, constantArg, idealConstant } from './arg-types';
import type { CallEnv, FunctionTable, QueryFunction } from './function-types';
import { formatValue, GoInt, GoMap, GoSlice, GoStruct, isTrue, type Value } from './values';

/**
 * Executes a parsed template the way Go's text/template does (exec.go), with the budget Go lacks:
 * a template in a rule file must not stall the rule engine or grow an annotation without bound.
 */
export interface ExecLimits {
  readonly maxSteps: number;
  readonly maxOutputChars: number;
  readonly maxQueries: number;
}

export const DEFAULT_LIMITS: ExecLimits = { maxSteps: 100_000, maxOutputChars: 65_536, maxQueries: 20 };

export interface ExecInput {
  readonly name: string;
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
  readonly functions: FunctionTable;
  readonly data: GoStruct;
  readonly query: QueryFunction | undefined;
  readonly externalURL: string;
  readonly limits: ExecLimits;
}

const MISSING = Symbol('missing');
type Final = Value | typeof MISSING;
type Flow = 'break' | 'continue' | undefined;

class State implements CallEnv {
  out = '';
  #steps = 0;
  #queries = 0;
  readonly #vars: Array<{ name: string; value: Value }> = [];
  #at: { pos: number; text: string } = { pos: 0, text: '' };
  readonly query: QueryFunction | undefined;
  readonly externalURL: string;

  constructor(readonly input: ExecInput) {
    this.query = input.query;
    this.externalURL = input.externalURL;
    const d = input.data.fields;
    this.#vars.push({ name: '$', value: input.data }, { name: '$labels', value: d.Labels }, { name: '$externalLabels', value: d.ExternalLabels }, { name: '$externalURL', value: d.ExternalURL }, { name: '$value', value: d.Value });
  }

  spendQuery(): void {
    if (++this.#queries > this.input.limits.maxQueries) throw new Error(`more than ${this.input.limits.maxQueries} queries in one template`);
  }

  fail(message: string): never {
    const { line, column } = goPosition(this.input.source, this.#at.pos);
    const n = this.input.name;
    throw new TemplateExecError(`template: ${n}:${line}:${column}: executing "${n}" at <${this.#at.text}>: ${message}`);
  }

  #step(): void {
    if (++this.#steps > this.input.limits.maxSteps) this.fail(`template takes more than ${this.input.limits.maxSteps} steps`);
  }

  #write(s: string): void {
    this.out += s;
    if (this.out.length > this.input.limits.maxOutputChars) this.fail(`template output is longer than ${this.input.limits.maxOutputChars} characters`);
  }

  list(nodes: readonly TemplateNode[], dot: Value): Flow {
    for (const node of nodes) {
      this.#step();
      if (node.kind === 'text') this.#write(node.text);
      else if (node.kind === 'action') {
        const mark = this.#vars.length;
        const v = this.#pipeline(node.pipe, dot);
        if (node.pipe.decl.length === 0) {
          this.#vars.length = mark;
          this.#write(formatValue(v));
        }
      } else if (node.kind === 'range' || node.kind === 'if' || node.kind === 'with') {
        const flow = node.kind === 'range' ? this.#range(node, dot) : this.#ifOrWith(node, dot);
        if (flow) return flow;
      } else return node.kind;
    }
    return undefined;
  }

  #ifOrWith(node: BlockNode, dot: Value): Flow {
    const mark = this.#vars.length;
    const v = this.#pipeline(node.pipe, dot);
    const flow = isTrue(v) ? this.list(node.list, node.kind === 'with' ? v : dot) : node.elseList ? this.list(node.elseList, dot) : undefined;
    this.#vars.length = mark;
    return flow;
  }

  #range(node: BlockNode, dot: Value): Flow {
    const mark = this.#vars.length;
    const v = this.#pipeline(node.pipe, dot);
    const entries = this.#iterate(v, node.pipe);
    for (const [key, elem] of entries) {
      this.#step();
      const iterMark = this.#vars.length;
      const decl = node.pipe.decl;
      if (decl.length === 2) {
        this.#setVar(decl[0] as string, key, node.pipe.isAssign);
        this.#setVar(decl[1] as string, elem, node.pipe.isAssign);
      } else if (decl.length === 1) this.#setVar(decl[0] as string, elem, node.pipe.isAssign);
      const flow = this.list(node.list, elem);
      this.#vars.length = iterMark;
      if (flow === 'break') break;
    }
    const flow = entries.length === 0 && node.elseList ? this.list(node.elseList, dot) : undefined;
    this.#vars.length = mark;
    return flow;
  }

  #iterate(v: Value, pipe: Pipeline): Array<[Value, Value]> {
    if (v instanceof GoSlice) return v.items.map((x, i) => [new GoInt(i), x]);
    if (v instanceof GoMap) return v.keys().map((k) => [k, v.entries[k]]);
    if (v instanceof GoInt) {
      if (pipe.decl.length > 1) this.fail(`can't use ${v.v} to iterate over more than one variable`);
      if (v.v > this.input.limits.maxSteps) this.fail(`template takes more than ${this.input.limits.maxSteps} steps`);
      return Array.from({ length: Math.max(0, v.v) }, (_, i) => [new GoInt(i), new GoInt(i)]);
    }
    if (v === undefined || v === null) return [];
    return this.fail(`range can't iterate over ${formatValue(v)}`);
  }

  /** The pipeline's decl variables in range are re-set per iteration; only the innermost copies change. */
  #setVar(name: string, value: Value, isAssign: boolean): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const v = this.#vars[i] as { name: string; value: Value };
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    if (!isAssign) this.#vars.push({ name, value });
  }

  #pipeline(pipe: Pipeline, dot: Value): Value {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.#command(cmd, dot, value);
    const v = value === MISSING ? undefined : value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.#setVar(name, v, true);
      else this.#vars.push({ name, value: v });
    }
    return v;
  }

  #command(cmd: Command, dot: Value, final: Final): Value {
    this.#step();
    this.#at = cmd;
    const first = cmd.args[0] as Operand;
    const hasArgs = cmd.args.length > 1 || final !== MISSING;
    switch (first.kind) {
      case 'function':
        return this.#call(first.name, cmd, dot, final);
      case 'field':
        return this.#fields(dot, first.names, hasArgs);
      case 'variable':
        if (first.names.length === 0) this.#notAFunction(hasArgs, first.name);
        return this.#fields(this.#lookup(first.name), first.names, hasArgs);
      case 'chain':
        return this.#fields(this.#operand(first.node, dot), first.names, hasArgs);
      case 'pipe':
        this.#notAFunction(hasArgs, cmd.text);
        return this.#pipeline(first.pipe, dot);
      case 'dot':
        this.#notAFunction(hasArgs, '.');
        return dot;
      case 'nil':
        return this.fail('nil is not a command');
      default:
        this.#notAFunction(hasArgs, cmd.text);
        return first.kind === 'number' ? this.#constant(first) : first.value;
    }
  }

  #notAFunction(hasArgs: boolean, what: string): void {
    if (hasArgs) this.fail(`can't give argument to non-function ${what}`);
  }

  #constant(n: Extract<Operand, { kind: 'number' }>): Value {
    const v = idealConstant(n.num);
    return typeof v === 'string' ? this.fail(v) : v.value;
  }

  #lookup(name: string): Value {
    for (let i = this.#vars.length - 1; i >= 0; i--) if ((this.#vars[i] as { name: string }).name === name) return (this.#vars[i] as { value: Value }).value;
    return this.fail(`undefined variable: ${name}`);
  }

  #fields(receiver: Value, names: readonly string[], hasArgs: boolean): Value {
    let v = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      if (v instanceof GoStruct) {
        if (!Object.hasOwn(v.fields, name)) this.fail(`can't evaluate field ${name} in type ${v.typeName}`);
        if (last && hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        v = v.fields[name];
      } else if (v instanceof GoMap) {
        if (last && hasArgs) this.fail(`${name} is not a method but has arguments`);
        v = v.get(name);
      } else if (v === null) {
        this.fail(`nil pointer evaluating ${name}`);
      } else if (v !== undefined) {
        this.fail(`can't evaluate field ${name} in type ${v instanceof GoSlice ? v.typeName : typeof v === 'number' ? 'float64' : v instanceof GoInt ? 'int' : typeof v === 'string' ? 'string' : 'bool'}`);
      }
    });
    return v;
  }

  #operand(n: Operand, dot: Value): Value {
    switch (n.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.#fields(dot, n.names, false);
      case 'variable':
        return this.#fields(this.#lookup(n.name), n.names, false);
      case 'function':
        return this.#call(n.name, { pos: n.pos, text: n.name, args: [n] }, dot, MISSING);
      case 'pipe':
        return this.#pipeline(n.pipe, dot);
      case 'chain':
        return this.#fields(this.#operand(n.node, dot), n.names, false);
      case 'number':
        return this.#constant(n);
      default:
        return n.value;
    }
  }

  #call(name: string, cmd: Command, dot: Value, final: Final): Value {
    const fn = this.input.functions[name];
    if (!fn) return this.fail(`"${name}" is not a defined function`);
    const argNodes = cmd.args.slice(1);
    const given = argNodes.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic ? given < fixed : given !== fixed) this.fail(`wrong number of args for ${name}: want ${fn.variadic ? 'at least ' : ''}${fixed} got ${given}`);
    const typeAt = (i: number) => (i < fixed ? fn.params[i] : fn.variadic) ?? 'any';
    const arg = (node: Operand, i: number): Value => {
      const constant = constantArg(node, typeAt(i));
      if (constant !== undefined) return typeof constant === 'string' ? this.fail(constant) : constant.value;
      const coerced = coerceArg(this.#operand(node, dot), typeAt(i));
      this.#at = cmd;
      return typeof coerced === 'string' ? this.fail(coerced) : coerced.value;
    };
    if (fn.shortCircuit) {
      let v: Value;
      for (let i = 0; i < argNodes.length; i++) {
        v = arg(argNodes[i] as Operand, i);
        if (isTrue(v) === (fn.shortCircuit === 'or')) return v;
      }
      return final === MISSING ? v : final;
    }
    const args = argNodes.map(arg);
    if (final !== MISSING) {
      const coerced = coerceArg(final, typeAt(argNodes.length));
      args.push(typeof coerced === 'string' ? this.fail(coerced) : coerced.value);
    }
    this.#at = cmd;
    try {
      return fn.call(args, this);
    } catch (err) {
      if (err instanceof TemplateExecError) throw err;
      return this.fail(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Renders; throws TemplateExecError (Go's message) when the template fails or exceeds its budget. */
export function execute(input: ExecInput): string {
  const state = new State(input);
  state.list(input.nodes, input.data);
  return state.out;
}
