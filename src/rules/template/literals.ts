/** Go literal syntax inside actions: quoted strings (strconv.Unquote), numbers and character constants. */

export interface GoNumber {
  readonly text: string;
  /** Parses as a Go int64 (ParseInt with base prefix). */
  readonly isInt: boolean;
  readonly isFloat: boolean;
  readonly value: number;
  /** A character constant ('a'), which Go treats as an int (rune). */
  readonly isRune: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** strconv.Unquote of a "..." or '...' literal; undefined when the escape syntax is invalid. */
export function unquoteGo(text: string): string | undefined {
  const quote = text[0] as string;
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      if (c === quote) return undefined;
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (e in SIMPLE_ESCAPES) {
      if ((e === "'" && quote === '"') || (e === '"' && quote === "'")) return undefined;
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : /[0-7]/.test(e) ? 3 : 0;
    const digits = e === 'x' || e === 'u' || e === 'U' ? body.slice(i + 1, i + 1 + len) : body.slice(i, i + len);
    const valid = len > 0 && digits.length === len && (/[0-7]/.test(e) ? /^[0-7]{3}$/ : /^[0-9a-fA-F]+$/).test(digits);
    if (!valid) return undefined;
    const code = parseInt(digits, /[0-7]/.test(e) ? 8 : 16);
    if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000 && (e === 'u' || e === 'U'))) return undefined;
    out += String.fromCodePoint(code);
    i += /[0-7]/.test(e) ? len - 1 : len;
  }
  return out;
}

const INT_RE = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/;
const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Go's parse.NumberNode classification; undefined for syntax Go rejects (or Warden does not take: complex, hex floats). */
export function parseGoNumber(text: string): GoNumber | undefined {
  if (text.startsWith("'")) {
    const s = unquoteGo(text);
    if (s === undefined || [...s].length !== 1) return undefined;
    return { text, isInt: true, isFloat: true, value: s.codePointAt(0) as number, isRune: true };
  }
  if (/_/.test(text) && !/^[+-]?(?:0[xXbBoO])?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*$/.test(text)) return undefined;
  const clean = text.replace(/_/g, '');
  if (INT_RE.test(clean)) {
    const sign = clean.startsWith('-') ? -1 : 1;
    const digits = clean.replace(/^[+-]/, '');
    const prefix = digits.slice(0, 2).toLowerCase();
    const radix = prefix === '0x' ? 16 : prefix === '0b' ? 2 : prefix === '0o' ? 8 : digits.length > 1 && digits.startsWith('0') ? 8 : 10;
    const body = radix === 10 ? digits : radix === 8 && !/^0[oO]/.test(digits) ? digits.slice(1) : digits.slice(2);
    const big = BigInt(sign) * BigInt(radix === 10 ? body : `0${'xbo'[[16, 2, 8].indexOf(radix)]}${body}`);
    if (big < -(2n ** 63n) || big >= 2n ** 63n) return undefined; // Go: integer overflow
    return { text, isInt: true, isFloat: true, value: Number(big), isRune: false };
  }
  if (FLOAT_RE.test(clean)) {
    const value = Number(clean);
    return { text, isInt: Number.isInteger(value) && Math.abs(value) < 2 ** 63, isFloat: true, value, isRune: false };
  }
  return undefined;
}
