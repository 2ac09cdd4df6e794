import type { Command, Operand, Pipeline, TemplateNode } from './ast';
import { lex, LexError, type Token } from './lexer';
import { parseGoNumber, unquoteGo } from './literals';

/** Go text/template's parser (parse/parse.go) for one template, checking functions and variables as Go does. */

/** Variables every Prometheus alert template has (its definitions prefix), plus `$` (the data). */
export const PREDEFINED_VARIABLES = ['$', '$labels', '$externalLabels', '$externalURL', '$value'];
/** Deep nesting would overflow the interpreter's stack; Go has no such limit, real templates nest a few levels. */
const MAX_DEPTH = 100;

export class ParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Terminator = { keyword: 'end' | 'else'; pos: number } | undefined;

class Parser {
  #i = 0;
  #vars: string[] = [...PREDEFINED_VARIABLES];
  #depth = 0;
  #rangeDepth = 0;
  constructor(
    readonly tokens: readonly Token[],
    readonly src: string,
    readonly functions: ReadonlySet<string>,
  ) {}

  #peek(): Token | undefined {
    return this.tokens[this.#i];
  }
  #next(): Token {
    const t = this.tokens[this.#i++];
    if (!t) throw new ParseError('unexpected EOF', this.src.length);
    return t;
  }
  #expect(kind: Token['kind'], context: string): Token {
    const t = this.#next();
    if (t.kind !== kind) throw new ParseError(`unexpected ${describe(t)} in ${context}`, t.pos);
    return t;
  }

  /** Nodes up to `{{end}}`/`{{else}}` (returned as the terminator) or EOF. */
  list(): [TemplateNode[], Terminator] {
    const nodes: TemplateNode[] = [];
    for (let t = this.#peek(); t; t = this.#peek()) {
      this.#i++;
      if (t.kind === 'text') {
        nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      const first = this.#peek();
      if (first?.kind === 'keyword') {
        this.#i++;
        const kw = first.text;
        if (kw === 'end' || kw === 'else') return [nodes, { keyword: kw, pos: first.pos }];
        nodes.push(this.#control(kw, first.pos));
      } else {
        nodes.push({ kind: 'action', pos: t.pos, pipe: this.#pipeline('command', 'right') });
      }
    }
    return [nodes, undefined];
  }

  #control(kw: string, pos: number): TemplateNode {
    if (kw === 'break' || kw === 'continue') {
      this.#expect('right', kw);
      if (this.#rangeDepth === 0) throw new ParseError(`{{${kw}}} outside {{range}}`, pos);
      return { kind: kw, pos };
    }
    if (kw !== 'if' && kw !== 'with' && kw !== 'range') throw new ParseError(`{{${kw}}} is not supported: Warden alert templates have no named templates`, pos);
    if (++this.#depth > MAX_DEPTH) throw new ParseError('template nests too deeply', pos);
    const scope = this.#vars.length;
    const pipe = this.#pipeline(kw, 'right');
    if (kw === 'range') this.#rangeDepth++;
    const [list, term] = this.list();
    if (kw === 'range') this.#rangeDepth--;
    let elseList: TemplateNode[] | undefined;
    if (term?.keyword === 'else') {
      const chained = this.#peek();
      if (kw !== 'range' && chained?.kind === 'keyword' && chained.text === kw) {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}` sharing one {{end}}, as in Go
        this.#i++;
        elseList = [this.#control(kw, chained.pos)];
      } else {
        this.#expect('right', 'else');
        const [rest, end] = this.list();
        if (end?.keyword !== 'end') throw new ParseError(end ? 'expected end; found {{else}}' : 'unexpected EOF', end?.pos ?? this.src.length);
        this.#expect('right', 'end');
        elseList = rest;
      }
    } else if (term?.keyword === 'end') {
      this.#expect('right', 'end');
    } else {
      throw new ParseError('unexpected EOF', this.src.length);
    }
    this.#vars.length = scope;
    this.#depth--;
    return { kind: kw, pos, pipe, list, elseList };
  }

  #pipeline(context: string, end: 'right' | 'rparen'): Pipeline {
    const start = this.#peek();
    const pos = start?.pos ?? this.src.length;
    const decl: string[] = [];
    let isAssign = false;
    while (this.#peek()?.kind === 'variable') {
      const v = this.tokens[this.#i] as Token;
      const after = this.tokens[this.#i + 1];
      if (after?.kind === 'declare' || after?.kind === 'assign') {
        this.#i += 2;
        isAssign = after.kind === 'assign';
        if (isAssign && !this.#vars.includes(v.text)) throw new ParseError(`undefined variable "${v.text}"`, v.pos);
        decl.push(v.text);
        break;
      }
      if (after?.kind === 'comma' && context === 'range' && decl.length === 0) {
        this.#i += 2;
        decl.push(v.text);
        continue;
      }
      if (decl.length > 0) throw new ParseError(`too many declarations in ${context}`, v.pos);
      break;
    }
    if (decl.length > 0 && !isAssign) this.#vars.push(...decl);
    const cmds: Command[] = [];
    for (;;) {
      const t = this.#peek();
      if (!t) throw new ParseError(end === 'right' ? 'unclosed action' : 'unclosed left paren', pos);
      if (t.kind === end) {
        this.#i++;
        break;
      }
      if (t.kind === 'pipe') {
        if (cmds.length === 0) throw new ParseError('missing command', t.pos);
        this.#i++;
      }
      cmds.push(this.#command(end));
    }
    if (cmds.length === 0) throw new ParseError(`missing value for ${context}`, pos);
    cmds.slice(1).forEach((c, i) => {
      const k = c.args[0]?.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') throw new ParseError(`non executable command in pipeline stage ${i + 2}`, c.pos);
    });
    return { pos, decl, isAssign, cmds };
  }

  #command(end: 'right' | 'rparen'): Command {
    const args: Operand[] = [];
    const pos = this.#peek()?.pos ?? this.src.length;
    let last = pos;
    for (let t = this.#peek(); t && t.kind !== end && t.kind !== 'pipe'; t = this.#peek()) {
      if (args.length > 0 && !t.spaced) throw new ParseError(`unexpected ${describe(t)} in operand`, t.pos);
      args.push(this.#operand());
      last = (this.tokens[this.#i - 1] as Token).pos + (this.tokens[this.#i - 1] as Token).text.length;
    }
    if (args.length === 0) throw new ParseError('missing value for command', pos);
    if (args[0]?.kind === 'nil' && args.length === 1) throw new ParseError('nil is not a command', pos);
    return { pos, text: this.src.slice(pos, last), args };
  }

  #operand(): Operand {
    const term = this.#term();
    const names: string[] = [];
    while (this.#peek()?.kind === 'field' && !this.#peek()?.spaced) names.push(this.#next().text.slice(1));
    if (names.length === 0) return term;
    if (term.kind === 'field' || term.kind === 'variable') return { ...term, names: [...term.names, ...names] };
    if (term.kind === 'pipe' || term.kind === 'function' || term.kind === 'dot') return term.kind === 'dot' ? { kind: 'field', pos: term.pos, names } : { kind: 'chain', pos: term.pos, node: term, names };
    throw new ParseError(`unexpected . after term "${this.src.slice(term.pos, this.#peek()?.pos)}"`, term.pos);
  }

  #term(): Operand {
    const t = this.#next();
    switch (t.kind) {
      case 'ident':
        if (!this.functions.has(t.text)) throw new ParseError(`function "${t.text}" not defined`, t.pos);
        return { kind: 'function', pos: t.pos, name: t.text };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'field':
        return { kind: 'field', pos: t.pos, names: [t.text.slice(1)] };
      case 'variable':
        if (!this.#vars.includes(t.text)) throw new ParseError(`undefined variable "${t.text}"`, t.pos);
        return { kind: 'variable', pos: t.pos, name: t.text, names: [] };
      case 'bool':
        return { kind: 'bool', pos: t.pos, value: t.text === 'true' };
      case 'string':
      case 'rawString': {
        const value = t.kind === 'rawString' ? t.text.slice(1, -1).replace(/\r/g, '') : unquoteGo(t.text);
        if (value === undefined) throw new ParseError('invalid syntax', t.pos);
        return { kind: 'string', pos: t.pos, value };
      }
      case 'number':
      case 'char': {
        const num = parseGoNumber(t.text);
        if (!num) throw new ParseError(`illegal number syntax: "${t.text}"`, t.pos);
        return { kind: 'number', pos: t.pos, num };
      }
      case 'lparen': {
        if (++this.#depth > MAX_DEPTH) throw new ParseError('template nests too deeply', t.pos);
        const pipe = this.#pipeline('parenthesized pipeline', 'rparen');
        this.#depth--;
        return { kind: 'pipe', pos: t.pos, pipe };
      }
      default:
        throw new ParseError(`unexpected ${describe(t)} in operand`, t.pos);
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'right') return '"}}"';
  if (t.kind === 'rparen') return '")"';
  return `"${t.text}"`;
}

/** Parses a template; throws ParseError with Go's message and the offset of the problem. */
export function parseTemplate(src: string, functions: ReadonlySet<string>): TemplateNode[] {
  let tokens: Token[];
  try {
    tokens = lex(src);
  } catch (err) {
    if (err instanceof LexError) throw new ParseError(err.message, err.offset);
    throw err;
  }
  const parser = new Parser(tokens, src, functions);
  const [nodes, term] = parser.list();
  if (term) throw new ParseError(`unexpected {{${term.keyword}}}`, term.pos);
  return nodes;
}
