import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import {
  AGGREGATE_OPS, PARAM_AGGREGATES, typeOf,
  type AggregateOp, type AtModifier, type BinaryExpr, type BinaryOp, type Cardinality, type Expr, type LabelMatcher, type MatchType, type VectorMatching, type VectorSelector,
} from './promql-ast';
import { PromqlError } from './promql-error';
import { FUNCTION_SIGNATURES } from './promql-function-signatures';
import { parseNumberLiteral, parseRangeMs, parseStringLiteral } from './promql-literals';
import { matchesLabel } from './label-match';
import { anchoredRegex, checkBinary, checkCall, describe, isSetOp } from './promql-parse-checks';

export { describe } from './promql-parse-checks';

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Atan2: 'atan2',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};
const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const UNSUPPORTED_NODES: Record<string, string> = {
  AnchoredExpr: 'unsupported modifier "anchored" (experimental in Prometheus)',
  SmoothedExpr: 'unsupported modifier "smoothed" (experimental in Prometheus)',
};

/**
 * Parses a PromQL expression with Prometheus' own lezer grammar into Warden's typed tree, checking
 * types as Prometheus' checkAST does and naming any unsupported part. Throws PromqlError carrying
 * the character offset. `allowRange` is for `query` in templates and expression tests, which may
 * ask for a range vector.
 */
export function parsePromql(text: string, options: { allowRange?: boolean } = {}): Expr {
  const tree = parser.parse(text);
  const top = tree.topNode;
  const error = findError(top);
  if (error) throw syntaxError(text, error);
  const root = top.firstChild;
  if (!root) throw new PromqlError('syntax error: empty expression', 0);
  const expr = new Builder(text).expr(root);
  const type = typeOf(expr);
  if (type === 'string' || (type === 'matrix' && options.allowRange !== true)) {
    throw new PromqlError(`expression must be an instant vector or scalar, got ${describe(type)}`, root.from);
  }
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
    if (unsupported) throw new PromqlError(unsupported, n.getChild('Anchored')?.from ?? n.getChild('Smoothed')?.from ?? n.from);
    switch (n.name) {
      case 'NumberDurationLiteral':
        return this.#number(n);
      case 'StringLiteral':
        return { kind: 'string', value: this.#string(n) };
      case 'ParenExpr':
        return this.expr(this.#only(n));
      case 'UnaryExpr':
        return this.#unary(n);
      case 'VectorSelector':
        return this.#selector(n);
      case 'MatrixSelector':
        return this.#matrix(n);
      case 'SubqueryExpr':
        return this.#subquery(n);
      case 'OffsetExpr':
      case 'StepInvariantExpr':
        return this.#modified(n);
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
    const t = typeOf(inner);
    if (t !== 'scalar' && t !== 'vector') throw new PromqlError(`unary expression only allowed on expressions of type scalar or instant vector, got ${describe(t)}`, n.from);
    if (this.#src(op as SyntaxNode) === '+') return inner;
    if (inner.kind === 'number') return { kind: 'number', value: -inner.value };
    return { kind: 'unary', expr: inner };
  }

  #selector(n: SyntaxNode): VectorSelector {
    let metricName: string | undefined;
    const matchers: LabelMatcher[] = [];
    const setName = (name: string, at: number) => {
      if (metricName !== undefined) throw new PromqlError('metric name must not be set twice', at);
      metricName = name;
    };
    for (const c of children(n)) {
      if (c.name === 'Identifier') setName(this.#src(c), c.from);
      else if (c.name === 'LabelMatchers') {
        for (const m of children(c)) {
          // `{"utf8.metric.name"}`: a quoted name alone is the metric name (Prometheus 3)
          if (m.name === 'QuotedLabelName') setName(this.#string(m.firstChild ?? m), m.from);
          else matchers.push(this.#matcher(m));
        }
      }
    }
    const nameIndex = matchers.findIndex((m) => m.name === '__name__' && m.type === '=');
    if (nameIndex >= 0) {
      setName((matchers[nameIndex] as LabelMatcher).value, n.from);
      matchers.splice(nameIndex, 1);
    }
    // Prometheus: a selector must not match everything (e.g. `{}` or `{a=~".*"}`).
    if (metricName === undefined && !matchers.some((m) => !matchesLabel(m, ''))) {
      throw new PromqlError('vector selector must contain at least one non-empty matcher', n.from);
    }
    return { kind: 'vector', metricName, matchers, offsetMs: 0, at: undefined };
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

  /** A duration inside `[...]` or after `offset` (a literal; Prometheus' duration arithmetic is experimental). */
  #duration(n: SyntaxNode | undefined, what: string, at: number): number {
    if (!n) throw new PromqlError(`missing ${what}`, at);
    const text = this.#src(n).replace(/\s+/g, '');
    const negative = text.startsWith('-');
    const ms = parseRangeMs(negative || text.startsWith('+') ? text.slice(1) : text);
    if (ms === undefined) throw new PromqlError(`unsupported ${what} ${JSON.stringify(this.#src(n))} (use a duration like 5m)`, n.from);
    return negative ? -ms : ms;
  }

  #matrix(n: SyntaxNode): Expr {
    const [inner, duration] = children(n) as [SyntaxNode, SyntaxNode | undefined];
    const selector = this.expr(inner);
    if (selector.kind !== 'vector') throw new PromqlError('ranges only allowed for vector selectors', inner.from);
    const rangeMs = this.#duration(duration, 'range', n.from);
    if (rangeMs <= 0) throw new PromqlError('range must be greater than 0', duration?.from ?? n.from);
    return { kind: 'matrix', vector: selector, rangeMs };
  }

  #subquery(n: SyntaxNode): Expr {
    const parts = children(n);
    const inner = this.expr(parts[0] as SyntaxNode);
    if (typeOf(inner) !== 'vector') throw new PromqlError(`subquery is only allowed on instant vector, got ${describe(typeOf(inner))}`, n.from);
    const durations = parts.filter((p) => p.name === 'DurationExpr');
    const rangeMs = this.#duration(durations[0], 'subquery range', n.from);
    if (rangeMs <= 0) throw new PromqlError('range must be greater than 0', n.from);
    const stepMs = durations[1] ? this.#duration(durations[1], 'subquery step', n.from) : undefined;
    if (stepMs !== undefined && stepMs <= 0) throw new PromqlError('step must be greater than 0', durations[1]?.from ?? n.from);
    return { kind: 'subquery', expr: inner, rangeMs, stepMs, offsetMs: 0, at: undefined };
  }

  /** `offset` and `@`: only on a selector, a range selector or a subquery, each at most once. */
  #modified(n: SyntaxNode): Expr {
    const parts = children(n);
    // lezer-promql parses `a - b offset 5m` as `(a - b) offset 5m`; Prometheus binds the modifier
    // to the rightmost operand, so apply it there.
    const target = this.expr(parts[0] as SyntaxNode);
    if (parts[0]?.name === 'BinaryExpr' && target.kind === 'binary') return this.#modifyRightmost(target, parts[0], n, parts);
    return this.#modifyTarget(target, parts[0], n, parts);
  }

  #modifyRightmost(e: BinaryExpr, node: SyntaxNode, n: SyntaxNode, parts: SyntaxNode[]): Expr {
    const right = children(node).at(-1) as SyntaxNode;
    const rhs = right.name === 'BinaryExpr' && e.rhs.kind === 'binary' ? this.#modifyRightmost(e.rhs, right, n, parts) : this.#modifyTarget(e.rhs, right, n, parts);
    return { ...e, rhs };
  }

  #modifyTarget(target: Expr, first: SyntaxNode | undefined, n: SyntaxNode, parts: SyntaxNode[]): Expr {
    const isOffset = n.name === 'OffsetExpr';
    const base = target.kind === 'matrix' ? target.vector : target;
    if ((base.kind !== 'vector' && base.kind !== 'subquery') || first?.name === 'ParenExpr') {
      throw new PromqlError(`${isOffset ? 'offset' : '@'} modifier must be preceded by an instant vector selector or range vector selector or a subquery`, n.from);
    }
    let changed: Expr;
    if (isOffset) {
      if (base.offsetMs !== 0) throw new PromqlError('offset may not be set multiple times', n.from);
      changed = { ...base, offsetMs: this.#duration(parts[2], 'offset', n.from) };
    } else {
      if (base.at !== undefined) throw new PromqlError('@ <timestamp> may not be set multiple times', n.from);
      changed = { ...base, at: this.#at(parts[2], n.from) };
    }
    if (target.kind === 'matrix') return { ...target, vector: changed as VectorSelector };
    return changed;
  }

  #at(n: SyntaxNode | undefined, at: number): AtModifier {
    if (!n) throw new PromqlError('missing timestamp after @', at);
    if (n.name === 'AtModifierPreprocessors') return { kind: n.firstChild?.name === 'AtStart' ? 'start' : 'end' };
    const value = parseNumberLiteral(this.#src(n));
    if (value === undefined || !Number.isFinite(value)) throw new PromqlError(`timestamp out of bounds for @ modifier: ${this.#src(n)}`, n.from);
    return { kind: 'time', ms: Math.round(value * 1000) };
  }

  #binary(n: SyntaxNode): Expr {
    const parts = children(n);
    const lhsNode = parts[0] as SyntaxNode;
    const opNode = parts[1] as SyntaxNode;
    const rhsNode = parts[parts.length - 1] as SyntaxNode;
    const op = BINARY_OPS[opNode.name];
    if (!op) throw new PromqlError(`unsupported operator ${JSON.stringify(this.#src(opNode))}`, opNode.from);
    let returnBool = false;
    let matching: VectorMatching = { on: false, labels: [], card: isSetOp(op) ? 'many-to-many' : 'one-to-one', include: [] };
    for (const m of parts.slice(2, -1)) {
      if (m.name === 'BoolModifier') returnBool = true;
      else if (m.name === 'MatchingModifierClause') matching = this.#matching(m, op);
      else throw new PromqlError(`unsupported modifier ${JSON.stringify(this.#src(m))}`, m.from);
    }
    const lhs = this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    checkBinary(op, typeOf(lhs), typeOf(rhs), returnBool, matching, parts[2]?.from ?? opNode.from);
    return { kind: 'binary', op, lhs, rhs, returnBool, matching };
  }

  #matching(n: SyntaxNode, op: BinaryOp): VectorMatching {
    let on = false;
    let labels: string[] = [];
    let card: Cardinality = isSetOp(op) ? 'many-to-many' : 'one-to-one';
    let include: string[] = [];
    let afterGroup = false;
    for (const c of children(n)) {
      if (c.name === 'On') on = true;
      else if (c.name === 'GroupLeft' || c.name === 'GroupRight') {
        card = c.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
        afterGroup = true;
      } else if (c.name === 'GroupingLabels') {
        if (afterGroup) include = this.#labels(c);
        else labels = this.#labels(c);
      }
    }
    return { on, labels, card, include };
  }

  #labels(n: SyntaxNode): string[] {
    return children(n).map((c) => (c.name === 'LabelName' ? this.#src(c) : this.#string(c.firstChild ?? c)));
  }

  #call(n: SyntaxNode): Expr {
    const [ident, body] = children(n) as [SyntaxNode, SyntaxNode];
    const name = this.#src(ident);
    const sig = FUNCTION_SIGNATURES.get(name);
    if (!sig) throw new PromqlError(`unsupported function ${JSON.stringify(name)}`, ident.from);
    const argNodes = children(body);
    const args = argNodes.map((a) => this.expr(a));
    checkCall(name, sig, args, argNodes.map((a) => a.from), body.from);
    return { kind: 'call', func: name, args };
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
    const argNodes = body ? children(body) : [];
    const wanted = PARAM_AGGREGATES.has(op) ? 2 : 1;
    if (argNodes.length !== wanted) throw new PromqlError(`wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${argNodes.length}`, body?.from ?? n.from);
    const args = argNodes.map((a) => this.expr(a));
    const expr = args[args.length - 1] as Expr;
    const param = wanted === 2 ? args[0] : undefined;
    if (typeOf(expr) !== 'vector') throw new PromqlError(`expected type instant vector in aggregation expression, got ${describe(typeOf(expr))}`, (argNodes[argNodes.length - 1] as SyntaxNode).from);
    if (param) {
      const want = op === 'count_values' ? 'string' : 'scalar';
      if (typeOf(param) !== want) throw new PromqlError(`expected type ${want} in aggregation parameter, got ${describe(typeOf(param))}`, (argNodes[0] as SyntaxNode).from);
    }
    return { kind: 'aggregate', op: op as AggregateOp, expr, param, without, grouping };
  }
}
