/** strconv.Quote / QuoteRune: Go escapes, printable Unicode kept (or escaped too when `asciiOnly`). */

const ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };
const PRINTABLE_RE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

export function goQuote(s: string, quote: '"' | "'", asciiOnly = false): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote) out += '\\' + ch;
    else if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (cp < 0x80 ? cp >= 0x20 && cp !== 0x7f : !asciiOnly && PRINTABLE_RE.test(ch)) out += ch;
    else if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + quote;
}
