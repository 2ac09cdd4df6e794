/**
 * Alertmanager-style label matchers for remediation rules' `on.matchers`: `name="v"`, `name!="v"`,
 * `name=~"re"`, `name!~"re"`. Regexes are anchored like Prometheus'. Compiled once at rule load.
 */
export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  readonly regex?: RegExp;
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** Returns the matcher, or a message saying what is wrong with the text. */
export function parseLabelMatcher(text: string): LabelMatcher | string {
  const m = MATCHER_RE.exec(text);
  if (!m) return `matcher ${JSON.stringify(text)} must look like name="value", name!="value", name=~"regex" or name!~"regex"`;
  const [, name, op, raw] = m as unknown as [string, string, LabelMatcher['op'], string];
  const value = raw.replace(/\\(.)/g, '$1');
  if (op === '=~' || op === '!~') {
    try {
      return { name, op, value, regex: new RegExp(`^(?:${value})$`) };
    } catch (err) {
      return `matcher ${JSON.stringify(text)}: invalid regex: ${(err as Error).message}`;
    }
  }
  return { name, op, value };
}

/** A missing label matches as the empty string, as in Prometheus. */
export function labelMatches(m: LabelMatcher, labels: Readonly<Record<string, string>>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return (m.regex as RegExp).test(v);
    case '!~':
      return !(m.regex as RegExp).test(v);
  }
}
