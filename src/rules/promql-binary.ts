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
      out.push({ name: undefined, labels: el.labels, value: arithmetic(e.op, l, r) });
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

function resultLabels(labels: Labels, e: BinaryExpr): Labels {
  const { on, labels: names } = e.matching;
  if (!on && names.length === 0) return labels;
  const out: Record<string, string> = {};
  if (on) {
    for (const n of names) if (labels[n] !== undefined) out[n] = labels[n] as string;
  } else {
    for (const k of Object.keys(labels)) if (!names.includes(k)) out[k] = labels[k] as string;
  }
  return out;
}

/** One-to-one vector matching for arithmetic and comparisons (promql/engine.go VectorBinop). */
export function vectorBinary(e: BinaryExpr, lhs: InstantVector, rhs: InstantVector): InstantVector {
  const names = sortedNames(e);
  const right = new Map<string, VectorElement>();
  for (const el of rhs) {
    const sig = cachedSignature(e, el.labels, names);
    const dup = right.get(sig);
    if (dup) {
      throw new EvaluationError(`found duplicate series for the match group on the right hand-side of the operation: [${formatLabels(dup.name, dup.labels)}, ${formatLabels(el.name, el.labels)}]; many-to-many matching not allowed: matching labels must be unique on one side`);
    }
    right.set(sig, el);
  }
  const matched = new Set<string>();
  const comparison = isComparison(e.op);
  const out: InstantVector = [];
  for (const l of lhs) {
    const sig = cachedSignature(e, l.labels, names);
    const r = right.get(sig);
    if (!r) continue;
    if (matched.has(sig)) throw new EvaluationError(`multiple matches for labels ${formatLabels(l.name, l.labels)}: many-to-one matching must be explicit (group_left/group_right)`);
    matched.add(sig);
    let value: number;
    if (comparison) {
      const holds = compare(e.op, l.value, r.value);
      if (!holds && !e.returnBool) continue;
      value = e.returnBool ? (holds ? 1 : 0) : l.value;
    } else {
      value = arithmetic(e.op, l.value, r.value);
    }
    const dropName = !comparison || e.returnBool;
    out.push({ name: dropName ? undefined : l.name, labels: resultLabels(l.labels, e), value });
  }
  return out;
}
