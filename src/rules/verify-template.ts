import type { Expr } from './promql-ast';
import { walk } from './promql-ast';
import { parsePromql } from './promql-parse';
import { parseTargetTemplate, type TemplatePart } from './target-template';

/**
 * `verify.expr` templates (issue 9): `{{ $labels.x }}` fills in label values as data, never as
 * PromQL text. The template is parsed once with a slot where each placeholder stands; a slot may
 * only sit in the value of an `=` or `!=` label matcher. At match time the slots of the parsed
 * tree are replaced by the alert's label values, so a value such as
 * `zz"} == 1 or component_up{component=~".+` is one literal matcher value that matches nothing;
 * it cannot close the string and add an `or`.
 */
export interface VerifyTemplate {
  readonly text: string;
  readonly parts: readonly TemplatePart[];
  /** Parsed with slots (U+E000 name U+E001) for the placeholders. */
  readonly ast: Expr;
  readonly labels: readonly string[];
  /** The tree with every equality matcher value blanked: no instance may differ from it. */
  readonly shape: string;
}

/** What the verify check evaluates: the tree, and its text for the audit log (display only). */
export interface VerifyQuery {
  readonly expr: Expr;
  readonly text: string;
}

const SLOT_OPEN = '\uE000';
const SLOT_CLOSE = '\uE001';
const SLOT_RE = /\uE000([a-zA-Z_][a-zA-Z0-9_]*)\uE001/g;

type MatcherLike = { readonly name: string; readonly type: string; readonly value: string };

function isEqualityMatcher(node: unknown): node is MatcherLike {
  const m = node as Partial<MatcherLike> | null;
  return typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.value === 'string' && (m.type === '=' || m.type === '!=');
}

const unslot = (s: string) => s.replace(SLOT_RE, (_m, name: string) => `{{ $labels.${name} }}`);

/** Returns the template, or what is wrong with it. */
export function compileVerifyTemplate(text: string): VerifyTemplate | string {
  if (text.includes(SLOT_OPEN) || text.includes(SLOT_CLOSE)) return 'verify.expr must not contain the characters U+E000 or U+E001';
  const parts = parseTargetTemplate(text);
  if (typeof parts === 'string') return parts;
  const labels = [...new Set(parts.flatMap((p) => ('label' in p ? [p.label] : [])))];
  const withSlots = parts.map((p) => ('text' in p ? p.text : `${SLOT_OPEN}${p.label}${SLOT_CLOSE}`)).join('');
  let ast: Expr;
  try {
    ast = parsePromql(withSlots);
  } catch (err) {
    const hint = labels.length ? ' ({{ $labels.x }} may only stand inside the quoted value of an = or != label matcher, e.g. component="{{ $labels.component }}")' : '';
    return `verify.expr is not valid PromQL${hint}: ${unslot((err as Error).message)}`;
  }
  const misplaced = misplacedSlot(ast);
  if (misplaced !== undefined) return misplaced;
  return { text, parts, ast, labels, shape: shapeOf(ast) };
}

function misplacedSlot(ast: Expr): string | undefined {
  let found: string | undefined;
  walk(ast, (node) => {
    if (found !== undefined || node.kind !== 'vector') return;
    if (node.metricName?.includes(SLOT_OPEN)) found = 'a {{ $labels.x }} must not name the metric: put it in a label matcher value';
    for (const m of node.matchers) {
      if (m.name.includes(SLOT_OPEN)) found = 'a {{ $labels.x }} must not be a label name: put it in a label matcher value';
      else if ((m.type === '=~' || m.type === '!~') && m.value.includes(SLOT_OPEN)) found = `a {{ $labels.x }} in a regex matcher (${m.name}${m.type}) is not supported: the label value would be read as a regular expression; use = or !=`;
    }
  });
  // Anything else of the tree (a construct added later) must not hold a slot either.
  if (found === undefined && shapeOf(ast).includes(SLOT_OPEN)) found = 'a {{ $labels.x }} may only stand inside the quoted value of an = or != label matcher';
  return found;
}

/** The tree as JSON with every equality matcher value blanked (RegExp objects serialise as {}). */
function shapeOf(ast: Expr): string {
  return JSON.stringify(ast, function (this: unknown, key: string, value: unknown) {
    return key === 'value' && isEqualityMatcher(this) ? '' : value;
  });
}

function substitute(node: unknown, labels: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(node)) return node.map((n) => substitute(n, labels));
  if (typeof node !== 'object' || node === null || Object.getPrototypeOf(node) !== Object.prototype) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = substitute(v, labels);
  // A function replacer: `$&` and friends in a label value stay literal.
  if (isEqualityMatcher(node)) out.value = node.value.replace(SLOT_RE, (_m, name: string) => labels[name] as string);
  return out;
}

/**
 * The verify expression for one alert, or undefined when a label it names is missing or empty
 * (fail safe, as for targets). Throws if the result differs from the template's shape: that
 * would be a bug here, never something a label value can cause.
 */
export function instantiateVerify(t: VerifyTemplate, labels: Readonly<Record<string, string>>): VerifyQuery | undefined {
  for (const name of t.labels) {
    const v = labels[name];
    if (v === undefined || v === '') return undefined;
  }
  const expr = substitute(t.ast, labels) as Expr;
  if (shapeOf(expr) !== t.shape) throw new Error(`verify.expr ${JSON.stringify(t.text)}: label values changed the expression's shape`);
  return { expr, text: displayText(t.parts, labels) };
}

/** The template with each value as an escaped PromQL string body: for people reading the audit log; never parsed. */
function displayText(parts: readonly TemplatePart[], labels: Readonly<Record<string, string>>): string {
  return parts.map((p) => ('text' in p ? p.text : escapePromqlString(labels[p.label] as string))).join('');
}

export function escapePromqlString(value: string): string {
  return value.replace(/[\\"'\x00-\x1f\x7f]/g, (c) => (c === '\\' || c === '"' || c === "'" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
