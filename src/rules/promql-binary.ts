import type { Labels } from '../signals/sample';
import type { BinaryExpr, BinaryOp } from './promql-ast';
import { EvaluationError, formatLabels, type InstantVector, type VectorElement } from './promql-values';

const SEP = '\xff';
const COMPARISON: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

export function isComparison(op: BinaryOp): boolean {
  return COMPARISON.has(op);
}

/** Go float semantics for the arithmetic operators (math.Mod truncates like JS %; Pow(1, NaN) is 1). */
export function arithmetic(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return l / r;
    case '%': return l % r;
    case '^': return l === 1 || r === 0 ? 1 : Math.pow(l, r);
    case 'atan2': return Math.atan2(l, r);
    default: throw new EvaluationError(`operator "${op}" is not arithmetic`);
  }
}

export function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '>': return l > r;
    case '<': return l < r;
    case '>=': return l >= r;
    case '<=': return l <= r;
    default: throw new EvaluationError(`operator "${op}" is not a comparison`);
  }
}

/** scalar op scalar (comparisons need `bool`, checked at parse time). */
export function scalarBinary(e: BinaryExpr, l: number, r: number): number {
  if (isComparison(e.op)) return compare(e.op, l, r) ? 1 : 0;
  return arithmetic(e.op, l, r);
}

/**
 * vector op scalar, or scalar op vector when `scalarOnLeft`. A comparison keeps the vector's own
 * value; arithmetic and `bool` drop the metric name (promql/engine.go VectorscalarBinop).
 */
export function vectorScalarBinary(e: BinaryExpr, vector: InstantVector, scalar: number, scalarOnLeft: boolean): InstantVector {
  const out: InstantVector = [];
  const comparison = isComparison(e.op);
  for (const el of vector) {
    const l = scalarOnLeft ? scalar : el.value;
    const r = scalarOnLeft ? el.value : scalar;
    if (!comparison) {
      out.push({ name: e.op === 'atan2' ? el.name : undefined, labels: el.labels, value: arithmetic(e.op, l, r) });
      continue;
    }
    const holds = compare(e.op, l, r);
    if (e.returnBool) out.push({ name: undefined, labels: el.labels, value: holds ? 1 : 0 });
    else if (holds) out.push(el);
  }
  return out;
}

/** The label values vector matching compares: on(...) keeps only those, ignoring(...) drops them. */
export function signature(labels: Labels, on: boolean, names: readonly string[]): string {
  let sig = '';
  if (on) {
    for (const n of names) sig += n + SEP + (labels[n] ?? '') + SEP;
    return sig;
  }
  for (const k of Object.keys(labels).sort()) if (!names.includes(k)) sig += k + SEP + labels[k] + SEP;
  return sig;
}

/**
 * Signatures per operation and per label object: selectors hand out each series' own frozen label
 * object, so a series' signature is built once, not once per evaluation.
 */
const signatures = new WeakMap<BinaryExpr, WeakMap<Labels, string>>();

function cachedSignature(e: BinaryExpr, labels: Labels, names: readonly string[]): string {
  let cache = signatures.get(e);
  if (!cache) {
    cache = new WeakMap();
    signatures.set(e, cache);
  }
  let sig = cache.get(labels);
  if (sig === undefined) {
    sig = signature(labels, e.matching.on, names);
    cache.set(labels, sig);
  }
  return sig;
}

function sortedNames(e: BinaryExpr): readonly string[] {
  return e.matching.on ? [...e.matching.labels].sort() : e.matching.labels;
}

/** and / or / unless: lhs (and rhs for `or`) elements pass through unchanged. */
export function setBinary(e: BinaryExpr, lhs: InstantVector, rhs: InstantVector): InstantVector {
  const names = sortedNames(e);
  if (e.op === 'or') {
    const leftSigs = new Set<string>();
    for (const el of lhs) leftSigs.add(cachedSignature(e, el.labels, names));
    const out = lhs.slice();
    for (const el of rhs) if (!leftSigs.has(cachedSignature(e, el.labels, names))) out.push(el);
    return out;
  }
  const rightSigs = new Set<string>();
  for (const el of rhs) rightSigs.add(cachedSignature(e, el.labels, names));
  const keep = e.op === 'and';
  return lhs.filter((el) => rightSigs.has(cachedSignature(e, el.labels, names)) === keep);
}

/** promql/engine.go resultMetric: the "many" side's labels, cut by on/ignoring for one-to-one, plus group_x(...) labels from the "one" side. */
function resultLabels(labels: Labels, one: Labels, e: BinaryExpr): Labels {
  const { on, labels: names, card, include } = e.matching;
  if (card !== 'one-to-one' ? include.length === 0 : !on && names.length === 0) return labels;
  const out: Record<string, string> = {};
  if (card === 'one-to-one' && on) {
    for (const n of names) if (labels[n] !== undefined) out[n] = labels[n] as string;
  } else {
    for (const k of Object.keys(labels)) if (card !== 'one-to-one' || !names.includes(k)) out[k] = labels[k] as string;
  }
  for (const n of include) {
    const v = one[n];
    if (v !== undefined && v !== '') out[n] = v;
    else delete out[n];
  }
  return out;
}

function duplicateError(side: string, a: VectorElement, b: VectorElement): EvaluationError {
  return new EvaluationError(`found duplicate series for the match group on the ${side} hand-side of the operation: [${formatLabels(a.name, a.labels)}, ${formatLabels(b.name, b.labels)}]; many-to-many matching not allowed: matching labels must be unique on one side`);
}

/**
 * Vector matching for arithmetic and comparisons (promql/engine.go VectorBinop): one-to-one, or
 * many-to-one / one-to-many with group_left / group_right. The "one" side must be unique per
 * match group; each result label set must be unique.
 */
export function vectorBinary(e: BinaryExpr, lhs: InstantVector, rhs: InstantVector): InstantVector {
  const names = sortedNames(e);
  const card = e.matching.card;
  const flipped = card === 'one-to-many';
  const many = flipped ? rhs : lhs;
  const oneSide = flipped ? lhs : rhs;
  const one = new Map<string, VectorElement>();
  for (const el of oneSide) {
    const sig = cachedSignature(e, el.labels, names);
    const dup = one.get(sig);
    if (dup) throw duplicateError(flipped ? 'left' : 'right', dup, el);
    one.set(sig, el);
  }
  const matched = new Set<string>();
  const comparison = isComparison(e.op);
  // promtool 2.42 keeps the name through atan2 (shouldDropMetricName does not list it)
  const dropName = comparison ? e.returnBool : e.op !== 'atan2';
  const out: InstantVector = [];
  for (const m of many) {
    const sig = cachedSignature(e, m.labels, names);
    const o = one.get(sig);
    if (!o) continue;
    const l = flipped ? o.value : m.value;
    const r = flipped ? m.value : o.value;
    let value: number;
    if (comparison) {
      const holds = compare(e.op, l, r);
      if (!holds && !e.returnBool) continue;
      value = e.returnBool ? (holds ? 1 : 0) : l;
    } else {
      value = arithmetic(e.op, l, r);
    }
    const labels = resultLabels(m.labels, o.labels, e);
    const name = dropName || (card === 'one-to-one' && e.matching.on) ? undefined : m.name;
    if (card === 'one-to-one') {
      if (matched.has(sig)) throw new EvaluationError(`multiple matches for labels ${formatLabels(m.name, m.labels)}: many-to-one matching must be explicit (group_left/group_right)`);
      matched.add(sig);
    } else {
      const key = formatLabels(name, labels);
      if (matched.has(key)) throw new EvaluationError(`multiple matches for labels ${formatLabels(m.name, m.labels)}: grouping labels must ensure unique matches`);
      matched.add(key);
    }
    out.push({ name, labels, value });
  }
  return out;
}
