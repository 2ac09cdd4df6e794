import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import {
  AGGREGATE_OPS, RANGE_FUNCTIONS, typeOf,
  type AggregateOp, type BinaryOp, type Expr, type FunctionName, type LabelMatcher, type MatchType, type VectorMatching, type VectorSelector,
} from './promql-ast';
import { PromqlError } from './promql-error';
import { parseNumberLiteral, parseRangeMs, parseStringLiteral } from './promql-literals';
import { matchesLabel } from './label-match';

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};
const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const UNSUPPORTED_NODES: Record<string, string> = {
  OffsetExpr: 'unsupported modifier "offset"',
  StepInvariantExpr: 'unsupported modifier "@"',
  SubqueryExpr: 'unsupported subquery',
  AnchoredExpr: 'unsupported modifier "anchored"',
  SmoothedExpr: 'unsupported modifier "smoothed"',
  StringLiteral: 'unsupported string literal as an expression',
};

/**
 * Parses a PromQL expression with Prometheus' own lezer grammar into Warden's typed tree, rejecting
 * anything outside the supported subset (issue 3 §4) with a message naming the unsupported part.
 * Throws PromqlError carrying the character offset.
 */
export function parsePromql(text: string): Expr {
  const tree = parser.parse(text);
  const top = tree.topNode;
  const error = findError(top);
  if (error) throw syntaxError(text, error);
  const root = top.firstChild;
  if (!root) throw new PromqlError('syntax error: empty expression', 0);
  const expr = new Builder(text).expr(root);
  if (typeOf(expr) === 'matrix') throw new PromqlError('expression must be an instant vector or scalar, got range vector', root.from);
  return expr;
}

function findError(node: SyntaxNode): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  node.toTree().iterate({
    enter: (n) => {
      if (found) return false;
      if (n.type.isError) found = n.node;
      return undefined;
    },
  });
  return found;
}

function syntaxError(text: string, node: SyntaxNode): PromqlError {
  if (node.from >= text.length) return new PromqlError('syntax error: unexpected end of input', node.from);
  const near = text.slice(node.from, Math.max(node.to, node.from + 1)).split('\n')[0];
  return new PromqlError(`syntax error: unexpected ${JSON.stringify(near)}`, node.from);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

class Builder {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }

  #src(n: SyntaxNode): string {
    return this.#text.slice(n.from, n.to);
  }

  expr(n: SyntaxNode): Expr {
    const unsupported = UNSUPPORTED_NODES[n.name];
    if (unsupported) {
      const keyword = n.getChild('Offset') ?? n.getChild('At') ?? n.getChild('Anchored') ?? n.getChild('Smoothed');
      throw new PromqlError(unsupported, keyword?.from ?? (n.name === 'SubqueryExpr' ? (n.firstChild?.to ?? n.from) : n.from));
    }
    switch (n.name) {
      case 'NumberDurationLiteral':
        return this.#number(n);
      case 'ParenExpr':
        return this.expr(this.#only(n));
      case 'UnaryExpr':
        return this.#unary(n);
      case 'VectorSelector':
        return this.#selector(n);
      case 'MatrixSelector':
        return this.#matrix(n);
      case 'BinaryExpr':
        return this.#binary(n);
      case 'FunctionCall':
        return this.#call(n);
      case 'AggregateExpr':
        return this.#aggregate(n);
      default:
        throw new PromqlError(`unsupported expression ${JSON.stringify(this.#src(n))}`, n.from);
    }
  }

  #only(n: SyntaxNode): SyntaxNode {
    const c = n.firstChild;
    if (!c) throw new PromqlError('syntax error: empty parentheses', n.from);
    return c;
  }

  #number(n: SyntaxNode): Expr {
    const value = parseNumberLiteral(this.#src(n));
    if (value === undefined) throw new PromqlError(`invalid number ${JSON.stringify(this.#src(n))}`, n.from);
    return { kind: 'number', value };
  }

  #unary(n: SyntaxNode): Expr {
    const [op, operand] = children(n);
    const inner = this.expr(operand as SyntaxNode);
    if (this.#src(op as SyntaxNode) === '+') return inner;
    if (inner.kind === 'number') return { kind: 'number', value: -inner.value };
    return { kind: 'unary', expr: inner };
  }

  #selector(n: SyntaxNode): VectorSelector {
    let metricName: string | undefined;
    const matchers: LabelMatcher[] = [];
    for (const c of children(n)) {
      if (c.name === 'Identifier') metricName = this.#src(c);
      else if (c.name === 'LabelMatchers') for (const m of children(c)) matchers.push(this.#matcher(m));
    }
    const nameIndex = matchers.findIndex((m) => m.name === '__name__' && m.type === '=');
    if (nameIndex >= 0) {
      if (metricName !== undefined) throw new PromqlError('metric name must not be set twice', n.from);
      metricName = (matchers[nameIndex] as LabelMatcher).value;
      matchers.splice(nameIndex, 1);
    }
    // Prometheus: a selector must not match everything (e.g. `{}` or `{a=~".*"}`).
    if (metricName === undefined && !matchers.some((m) => !matchesLabel(m, ''))) {
      throw new PromqlError('vector selector must contain at least one non-empty matcher', n.from);
    }
    return { kind: 'vector', metricName, matchers };
  }

  #matcher(n: SyntaxNode): LabelMatcher {
    if (n.name !== 'UnquotedLabelMatcher' && n.name !== 'QuotedLabelMatcher') {
      throw new PromqlError(`unsupported label matcher ${JSON.stringify(this.#src(n))}`, n.from);
    }
    const [nameNode, opNode, valueNode] = children(n) as [SyntaxNode, SyntaxNode, SyntaxNode];
    const name = nameNode.name === 'LabelName' ? this.#src(nameNode) : this.#string(nameNode.firstChild ?? nameNode);
    const type = MATCH_OPS[opNode.firstChild?.name ?? ''];
    if (!type) throw new PromqlError(`unsupported match operator ${JSON.stringify(this.#src(opNode))}`, opNode.from);
    const value = this.#string(valueNode);
    if (type === '=~' || type === '!~') return { name, type, value, regex: anchoredRegex(value, valueNode.from) };
    return { name, type, value };
  }

  #string(n: SyntaxNode): string {
    const s = parseStringLiteral(this.#src(n));
    if (s === undefined) throw new PromqlError('syntax error: unterminated string', n.from);
    return s;
  }

  #matrix(n: SyntaxNode): Expr {
    const [inner, duration] = children(n) as [SyntaxNode, SyntaxNode | undefined];
    if (inner.name !== 'VectorSelector') throw new PromqlError('ranges only allowed for vector selectors', inner.from);
    const rangeText = duration ? this.#src(duration) : '';
    const rangeMs = duration?.firstChild?.name === 'NumberDurationLiteralInDurationContext' && !duration.firstChild.nextSibling ? parseRangeMs(rangeText) : undefined;
    if (rangeMs === undefined) throw new PromqlError(`unsupported range ${JSON.stringify(rangeText)} (use a duration like 5m)`, duration?.from ?? n.from);
    if (rangeMs <= 0) throw new PromqlError('range must be greater than 0', duration?.from ?? n.from);
    return { kind: 'matrix', vector: this.#selector(inner), rangeMs };
  }

  #binary(n: SyntaxNode): Expr {
    const parts = children(n);
    const lhsNode = parts[0] as SyntaxNode;
    const opNode = parts[1] as SyntaxNode;
    const rhsNode = parts[parts.length - 1] as SyntaxNode;
    const op = BINARY_OPS[opNode.name];
    if (!op) throw new PromqlError(`unsupported operator ${JSON.stringify(this.#src(opNode))}`, opNode.from);
    let returnBool = false;
    let matching: VectorMatching = { on: false, labels: [] };
    for (const m of parts.slice(2, -1)) {
      if (m.name === 'BoolModifier') returnBool = true;
      else if (m.name === 'MatchingModifierClause') matching = this.#matching(m);
      else throw new PromqlError(`unsupported modifier ${JSON.stringify(this.#src(m))}`, m.from);
    }
    const lhs = this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    checkBinary(op, typeOf(lhs), typeOf(rhs), returnBool, matching, parts[2]?.from ?? opNode.from);
    return { kind: 'binary', op, lhs, rhs, returnBool, matching };
  }

  #matching(n: SyntaxNode): VectorMatching {
    let on = false;
    let labels: string[] = [];
    for (const c of children(n)) {
      if (c.name === 'On') on = true;
      else if (c.name === 'GroupingLabels') labels = this.#labels(c);
      else if (c.name === 'GroupLeft' || c.name === 'GroupRight') {
        throw new PromqlError(`unsupported modifier "${this.#src(c)}" (only one-to-one vector matching is supported)`, c.from);
      }
    }
    return { on, labels };
  }

  #labels(n: SyntaxNode): string[] {
    return children(n).map((c) => (c.name === 'LabelName' ? this.#src(c) : this.#string(c.firstChild ?? c)));
  }

  #call(n: SyntaxNode): Expr {
    const [ident, body] = children(n) as [SyntaxNode, SyntaxNode];
    const name = this.#src(ident);
    if (name !== 'absent' && !RANGE_FUNCTIONS.has(name)) throw new PromqlError(`unsupported function ${JSON.stringify(name)}`, ident.from);
    const args = children(body);
    if (args.length !== 1) throw new PromqlError(`expected 1 argument in call to "${name}", got ${args.length}`, body.from);
    const arg = this.expr(args[0] as SyntaxNode);
    const want = name === 'absent' ? 'vector' : 'matrix';
    if (typeOf(arg) !== want) {
      throw new PromqlError(`expected type ${want === 'vector' ? 'instant vector' : 'range vector'} in call to function "${name}", got ${describe(typeOf(arg))}`, (args[0] as SyntaxNode).from);
    }
    return { kind: 'call', func: name as FunctionName, arg };
  }

  #aggregate(n: SyntaxNode): Expr {
    let op = '';
    let without = false;
    let grouping: string[] = [];
    let body: SyntaxNode | undefined;
    for (const c of children(n)) {
      if (c.name === 'AggregateOp') op = this.#src(c).toLowerCase();
      else if (c.name === 'FunctionCallBody') body = c;
      else if (c.name === 'AggregateModifier') {
        without = c.firstChild?.name === 'Without';
        const labels = c.getChild('GroupingLabels');
        grouping = labels ? this.#labels(labels) : [];
      }
    }
    if (!AGGREGATE_OPS.has(op)) throw new PromqlError(`unsupported aggregation ${JSON.stringify(op)}`, n.from);
    const args = body ? children(body) : [];
    if (args.length !== 1) throw new PromqlError(`expected 1 argument in aggregation "${op}", got ${args.length}`, body?.from ?? n.from);
    const expr = this.expr(args[0] as SyntaxNode);
    if (typeOf(expr) !== 'vector') throw new PromqlError(`expected type instant vector in aggregation "${op}", got ${describe(typeOf(expr))}`, (args[0] as SyntaxNode).from);
    return { kind: 'aggregate', op: op as AggregateOp, expr, without, grouping };
  }
}

export function describe(t: string): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : 'scalar';
}

function anchoredRegex(source: string, offset: number): RegExp {
  try {
    // Prometheus anchors label regexes at both ends; `s` lets `.` match newlines as RE2 does with (?s).
    return new RegExp(`^(?:${source})$`, 's');
  } catch (err) {
    throw new PromqlError(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`, offset);
  }
}

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

/** Prometheus' checkAST rules for binary expressions. */
function checkBinary(op: BinaryOp, lt: string, rt: string, returnBool: boolean, matching: VectorMatching, offset: number): void {
  if (lt === 'matrix' || rt === 'matrix') throw new PromqlError('binary expression must contain only scalar and instant vector types', offset);
  if (returnBool && !COMPARISONS.has(op)) throw new PromqlError('bool modifier can only be used on comparison operators', offset);
  const scalars = lt === 'scalar' && rt === 'scalar';
  if (scalars && COMPARISONS.has(op) && !returnBool) throw new PromqlError('comparisons between scalars must use BOOL modifier', offset);
  if (SET_OPS.has(op) && (lt === 'scalar' || rt === 'scalar')) throw new PromqlError(`set operator "${op}" not allowed in binary scalar expression`, offset);
  if ((lt === 'scalar' || rt === 'scalar') && (matching.on || matching.labels.length > 0)) {
    throw new PromqlError('vector matching only allowed between instant vectors', offset);
  }
}
