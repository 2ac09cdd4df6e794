import { TemplateFunctionError } from './errors';
import { goQuote } from './go-quote';

/** Go's string helpers the template functions wrap: strconv.ParseFloat, cases.Title, the escapers. */

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64), with its error text. Hex floats are not accepted. */
export function parseGoFloat(s: string): number {
  const special = SPECIAL_RE.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') {
      if (special[1]) throw new TemplateFunctionError(`strconv.ParseFloat: parsing ${goQuote(s, '"')}: invalid syntax`);
      return NaN;
    }
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!DECIMAL_RE.test(s)) throw new TemplateFunctionError(`strconv.ParseFloat: parsing ${goQuote(s, '"')}: invalid syntax`);
  const v = Number(s);
  if (!Number.isFinite(v)) throw new TemplateFunctionError(`strconv.ParseFloat: parsing ${goQuote(s, '"')}: value out of range`);
  return v;
}

/**
 * cases.Title(language.AmericanEnglish, cases.NoLower): the first letter of each word upper-cased,
 * the rest left alone. Words are runs of letters, digits, marks, `_`, and `'`/`.` between letters.
 */
export function goTitle(s: string): string {
  return s.replace(/[\p{L}\p{N}\p{M}_]+(?:['’.][\p{L}\p{N}\p{M}_]+)*/gu, (word) => {
    const first = word.codePointAt(0) as number;
    const ch = String.fromCodePoint(first);
    return /\p{L}/u.test(ch) ? ch.toUpperCase() + word.slice(ch.length) : word;
  });
}

/** url.QueryEscape: space as '+', everything but letters, digits and -_.~ percent-encoded. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + (c.charCodeAt(0) as number).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

const HTML_ESCAPES: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' };

/** text/template's HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c] as string);
}

/** text/template's JSEscapeString. */
export function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\x00-\x1f]/g, (c) => {
    if (c === '\\' || c === "'" || c === '"') return '\\' + c;
    return '\\u' + (c.charCodeAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  });
}
