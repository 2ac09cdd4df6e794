import type { Labels } from '../signals/sample';
import { formatGoFloat } from './go-float-format';

/**
 * A small, safe stand-in for Prometheus' Go templates: only `{{ $labels.x }}`, `{{ $value }}` (and
 * `.Labels.x` / `.Value`) are allowed, because Node has no text/template and arbitrary template code
 * in rule files would be a needless attack surface; anything else is a load error.
 */
const ACTION_RE = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const LABEL_RE = /^(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/;
const VALUE_RE = /^(?:\$value|\.Value)$/;

type Part = string | { label: string } | { value: true };

export interface CompiledTemplate {
  readonly source: string;
  readonly parts: readonly Part[];
}

/** Throws an Error naming the unsupported action. */
export function compileTemplate(source: string): CompiledTemplate {
  const parts: Part[] = [];
  let last = 0;
  for (const m of source.matchAll(ACTION_RE)) {
    const action = m[1] as string;
    if (m.index > last) parts.push(source.slice(last, m.index));
    const label = LABEL_RE.exec(action);
    if (label) parts.push({ label: label[1] as string });
    else if (VALUE_RE.test(action)) parts.push({ value: true });
    else throw new Error(`unsupported template action "{{ ${action} }}" (only {{ $labels.NAME }} and {{ $value }} are supported)`);
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return { source, parts };
}

/** Missing labels render as the empty string, like Go templates render a missing map key with missingkey=zero. */
export function renderTemplate(t: CompiledTemplate, labels: Labels, value: number): string {
  if (t.parts.length === 1 && typeof t.parts[0] === 'string') return t.parts[0];
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') out += p;
    else if ('label' in p) out += labels[p.label] ?? '';
    else out += formatGoFloat(value);
  }
  return out;
}
