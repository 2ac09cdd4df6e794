/**
 * Target templates: literal text with `{{ $labels.name }}` placeholders (the subset of
 * Prometheus templating remediation targets need). Parsed at rule load; rendering is a lookup.
 */
export type TemplatePart = { readonly text: string } | { readonly label: string };

const PLACEHOLDER_RE = /\{\{\s*(.*?)\s*\}\}/g;
const LABEL_REF_RE = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/;

/** Returns the parts, or a message saying what is wrong. */
export function parseTargetTemplate(text: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    const ref = LABEL_REF_RE.exec(m[1] as string);
    if (!ref) return `target template: {{ ${m[1]} }} is not supported; use {{ $labels.<name> }}`;
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ label: ref[1] as string });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  const rest = parts.filter((p): p is { text: string } => 'text' in p).map((p) => p.text).join('');
  if (rest.includes('{{') || rest.includes('}}')) return `target template ${JSON.stringify(text)} has an unbalanced {{ or }}`;
  return parts;
}

/**
 * Renders against an alert's labels. A placeholder whose label is missing or empty makes the
 * whole target undefined: acting on a guessed target is never safe (spec §2.1 fail safe).
 */
export function renderTargetTemplate(parts: readonly TemplatePart[], labels: Readonly<Record<string, string>>): string | undefined {
  let out = '';
  for (const p of parts) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    const v = labels[p.label];
    if (v === undefined || v === '') return undefined;
    out += v;
  }
  return out;
}
