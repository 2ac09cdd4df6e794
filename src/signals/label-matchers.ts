import { z } from 'zod';

/**
 * Label matchers in Alertmanager's two spellings: the string form used in routes and inhibit rules
 * (`severity="P0"`, `component=~"db.*"`, `env!="dev"`, `x!~"a|b"`) and the object form of the
 * silences API (`{name, value, isRegex, isEqual}`). Both compile to the same Matcher.
 */
export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

export interface CompiledMatcher extends Matcher {
  test(labels: Readonly<Record<string, string>>): boolean;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MATCHER_STRING = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s]*))\s*$/;

/** Parses `name="value"` (quotes optional, as Alertmanager allows). Returns an error message when malformed. */
export function parseMatcher(text: string): Matcher | string {
  const m = MATCHER_STRING.exec(text);
  if (!m) return `"${text}" is not a matcher like severity="P0", name!="x", name=~"re" or name!~"re"`;
  const op = m[2] as string;
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
  return { name: m[1] as string, value, isRegex: op.includes('~'), isEqual: !op.startsWith('!') };
}

/** Anchored like Prometheus and Alertmanager: the whole value must match. */
export function compileMatcher(m: Matcher): CompiledMatcher {
  const re = m.isRegex ? new RegExp(`^(?:${m.value})$`) : undefined;
  const test = (labels: Readonly<Record<string, string>>) => {
    const v = labels[m.name] ?? '';
    const hit = re ? re.test(v) : v === m.value;
    return hit === m.isEqual;
  };
  return { name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual, test };
}

export function matchesAll(matchers: readonly CompiledMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => m.test(labels));
}

export function regexError(value: string): string | undefined {
  try {
    new RegExp(`^(?:${value})$`);
    return undefined;
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message}`;
  }
}

/** The object form, validated (silences API and config alike). */
export const matcherObjectSchema = z
  .strictObject({
    name: z.string().regex(LABEL_NAME, 'must be a valid label name'),
    value: z.string(),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    const bad = m.isRegex ? regexError(m.value) : undefined;
    if (bad) ctx.addIssue({ code: 'custom', message: bad, path: ['value'] });
  });

/** A matcher in either spelling, compiled at load (pino's habit: decide at configuration time). */
export const matcherSchema = z.union([z.string(), matcherObjectSchema]).transform((v, ctx): Matcher => {
  if (typeof v !== 'string') return v;
  const parsed = parseMatcher(v);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  const bad = parsed.isRegex ? regexError(parsed.value) : undefined;
  if (bad) {
    ctx.addIssue({ code: 'custom', message: bad });
    return z.NEVER;
  }
  return parsed;
});

export function formatMatcher(m: Matcher): string {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}
