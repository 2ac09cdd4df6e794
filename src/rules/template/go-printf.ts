import { formatGoFloatVerb } from './go-float';
import { goQuote } from './go-quote';
import { formatValue, GoInt, typeName, type Value } from './values';

/** fmt.Sprintf for template values: Go's verbs, flags, width and precision, and its %!v(…) error forms. */

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const runeLength = (s: string) => [...s].length;

function pad(s: string, f: Spec, zeroAllowed = true): string {
  const n = (f.width ?? 0) - runeLength(s);
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  return (f.zero && zeroAllowed ? '0' : ' ').repeat(n) + s;
}

/** Pads a signed number: zeros go between the sign and the digits. */
function padNumber(sign: string, digits: string, f: Spec): string {
  const body = sign + digits;
  if (f.zero && !f.minus && f.width !== undefined && f.width > body.length) return sign + '0'.repeat(f.width - body.length) + digits;
  return pad(body, { ...f, zero: false });
}

function signOf(negative: boolean, f: Spec): string {
  return negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
}

function badVerb(verb: string, v: Value): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, false)})`;
}

function formatFloat(v: number, verb: string, f: Spec): string {
  const goVerb = verb === 'v' ? 'g' : (verb as 'e' | 'E' | 'f' | 'F' | 'g' | 'G');
  const prec = f.prec ?? (verb === 'g' || verb === 'G' || verb === 'v' ? -1 : 6);
  const text = formatGoFloatVerb(v, goVerb === 'F' ? 'f' : goVerb, prec);
  if (Number.isNaN(v)) return pad(f.plus ? '+NaN' : f.space ? ' NaN' : 'NaN', f, false);
  if (!Number.isFinite(v)) return pad(v > 0 && !f.plus && f.space ? ' Inf' : text, f, false);
  const negative = text.startsWith('-');
  return padNumber(signOf(negative, f), negative ? text.slice(1) : text, f);
}

function formatInt(n: number, verb: string, f: Spec): string {
  const negative = n < 0;
  const abs = BigInt(Math.abs(n));
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'd':
    case 'v':
      digits = abs.toString();
      break;
    case 'x':
    case 'X':
      digits = abs.toString(16);
      if (verb === 'X') digits = digits.toUpperCase();
      if (f.sharp) prefix = verb === 'x' ? '0x' : '0X';
      break;
    case 'o':
    case 'O':
      digits = abs.toString(8);
      if (verb === 'O') prefix = '0o';
      else if (f.sharp && digits !== '0') prefix = '0';
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(n >= 0 && n <= 0x10ffff ? n : 0xfffd), f);
    case 'q':
      return pad(goQuote(String.fromCodePoint(n >= 0 && n <= 0x10ffff ? n : 0xfffd), "'", f.plus), f);
    case 'U':
      return pad(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, f);
    default:
      return badVerb(verb, new GoInt(n));
  }
  if (f.prec !== undefined) {
    if (f.prec === 0 && n === 0) return pad('', f);
    digits = digits.padStart(f.prec, '0');
    return pad(signOf(negative, f) + prefix + digits, { ...f, zero: false });
  }
  return padNumber(signOf(negative, f) + prefix, digits, f);
}

function formatString(s: string, verb: string, f: Spec): string {
  const cut = f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s;
  switch (verb) {
    case 's':
    case 'v':
      return pad(cut, f);
    case 'q':
      return pad(goQuote(cut, '"', f.plus), f);
    case 'x':
    case 'X': {
      const bytes = [...Buffer.from(cut, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
      const hex = bytes.map((b) => (f.sharp ? '0x' : '') + b).join(f.space ? ' ' : '');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, f);
    }
    default:
      return badVerb(verb, s);
  }
}

function formatOne(v: Value, verb: string, f: Spec): string {
  if (verb === 'T') return pad(v === undefined || v === null ? '<nil>' : typeName(v), f);
  if (typeof v === 'number') return 'eEfFgGv'.includes(verb) ? formatFloat(v, verb, f) : badVerb(verb, v);
  if (v instanceof GoInt) return formatInt(v.v, verb, f);
  if (typeof v === 'string') return formatString(v, verb, f);
  if (typeof v === 'boolean') return verb === 't' || verb === 'v' ? pad(String(v), f) : badVerb(verb, v);
  if (v === null || v === undefined) return verb === 'v' ? pad('<nil>', f) : badVerb(verb, v);
  return verb === 'v' || verb === 's' ? pad(formatValue(v, true), f) : badVerb(verb, v);
}

/** Parses a width or precision: digits, or `*` taking an int argument. */
function number(format: string, i: number, args: readonly Value[], next: { arg: number }): [number | undefined, number, boolean] {
  if (format[i] === '*') {
    const a = args[next.arg++];
    return a instanceof GoInt && Math.abs(a.v) < 1e6 ? [a.v, i + 1, true] : [undefined, i + 1, false];
  }
  let j = i;
  while (j < format.length && format[j]! >= '0' && format[j]! <= '9') j++;
  return j > i ? [Math.min(Number(format.slice(i, j)), 1e6), j, true] : [undefined, j, true];
}

/** Go's fmt.Sprintf. */
export function goSprintf(format: string, args: readonly Value[]): string {
  let out = '';
  const next = { arg: 0 };
  for (let i = 0; i < format.length; ) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined };
    for (; i < format.length && '-+# 0'.includes(format[i] as string); i++) {
      const c = format[i];
      if (c === '-') f.minus = true;
      else if (c === '+') f.plus = true;
      else if (c === '#') f.sharp = true;
      else if (c === ' ') f.space = true;
      else f.zero = true;
    }
    f.zero = f.zero && !f.minus;
    let ok: boolean;
    [f.width, i, ok] = number(format, i, args, next);
    if (!ok) out += '%!(BADWIDTH)';
    if (f.width !== undefined && f.width < 0) {
      f.minus = true;
      f.zero = false;
      f.width = -f.width;
    }
    if (format[i] === '.') {
      [f.prec, i, ok] = number(format, i + 1, args, next);
      f.prec ??= 0;
      if (!ok) out += '%!(BADPREC)';
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    i++;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next.arg >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(args[next.arg++], verb, f);
  }
  if (next.arg < args.length) out += `%!(EXTRA ${args.slice(next.arg).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a, false)}`)).join(', ')})`;
  return out;
}
