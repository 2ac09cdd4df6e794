import { TemplateFunctionError } from './errors';

/**
 * Go (RE2) regular expressions on JS RegExp. RE2 has no backreferences or lookaround, so those are
 * rejected as Go rejects them; `(?i)`-style leading flags and `(?P<name>…)` are translated. JS
 * backtracks where RE2 does not: a pathological pattern can be slow, so inputs are capped.
 */
const MAX_CACHE = 256;
const MAX_INPUT_CHARS = 16_384;
const cache = new Map<string, RegExp>();

export function compileGoRegexp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let source = pattern;
  let flags = 'gu';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    if ((lead[1] as string).includes('U')) throw new TemplateFunctionError(`error parsing regexp: flag U is not supported: \`${pattern}\``);
    flags += (lead[1] as string).replace(/[^ims]/g, '');
    source = source.slice(lead[0].length);
  }
  if (/\\[1-9]|\(\?[=!]|\(\?<[=!]/.test(source)) throw new TemplateFunctionError(`error parsing regexp: invalid or unsupported Perl syntax: \`${pattern}\``);
  source = source.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$(?![\\s\\S])').replace(/\\A/g, '^');
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch {
    // JS's unicode mode rejects escapes RE2 takes (`\-`, `\:`); retry without it before giving up
    re = withoutUnicode(pattern, source, flags);
  }
  if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

function withoutUnicode(pattern: string, source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags.replace('u', ''));
  } catch (err) {
    throw new TemplateFunctionError(`error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')} in \`${pattern}\``);
  }
}

function checkInput(text: string): void {
  if (text.length > MAX_INPUT_CHARS) throw new TemplateFunctionError(`regexp input longer than ${MAX_INPUT_CHARS} characters`);
}

/** regexp.MatchString: an unanchored match. */
export function goMatch(pattern: string, text: string): boolean {
  checkInput(text);
  const re = compileGoRegexp(pattern);
  re.lastIndex = 0;
  return re.test(text);
}

/** Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` and `$$` expand as in Go's Expand. */
export function goReplaceAll(pattern: string, replacement: string, text: string): string {
  checkInput(text);
  const re = compileGoRegexp(pattern);
  re.lastIndex = 0;
  return text.replace(re, goReplacer(replacement));
}

/** A String.replace callback expanding `replacement` as Go's Regexp.Expand does (label_replace too). */
export function goReplacer(replacement: string): (...m: unknown[]) => string {
  return (...m: unknown[]) => {
    const hasGroups = typeof m[m.length - 1] === 'object';
    const groups = (hasGroups ? m[m.length - 1] : undefined) as Record<string, string | undefined> | undefined;
    const numbered = m.slice(0, hasGroups ? -3 : -2) as Array<string | undefined>;
    return expand(replacement, numbered, groups);
  };
}

function expand(template: string, numbered: ReadonlyArray<string | undefined>, groups: Readonly<Record<string, string | undefined>> | undefined): string {
  return template.replace(/\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))?/g, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare;
    if (name === undefined) return whole;
    // Go takes the longest name: `$1x` is the group named "1x", not group 1 followed by "x"
    if (/^\d+$/.test(name)) return numbered[Number(name)] ?? '';
    return groups?.[name] ?? '';
  });
}
