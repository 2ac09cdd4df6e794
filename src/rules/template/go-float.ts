/**
 * strconv.FormatFloat for 'e', 'f' and 'g' with an explicit precision, from the double's exact
 * decimal expansion, rounding half to even on exact ties as Go does (JS toFixed rounds 2.5 up).
 */

interface Digits {
  /** Decimal digits without leading or trailing zeros ('' for zero). */
  d: string;
  /** Position of the decimal point relative to the first digit. */
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

function exactDigits(v: number): Digits {
  view.setFloat64(0, Math.abs(v));
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (expBits !== 0) mant |= 1n << 52n;
  const e = (expBits === 0 ? 1 : expBits) - 1075;
  if (mant === 0n) return { d: '', dp: 0 };
  let text: string;
  let dp: number;
  if (e >= 0) {
    text = (mant << BigInt(e)).toString();
    dp = text.length;
  } else {
    text = (mant * 5n ** BigInt(-e)).toString();
    dp = text.length + e;
  }
  return { d: text.replace(/0+$/, ''), dp };
}

/** Keeps the first `nd` digits, rounding half to even (strconv's decimal.Round). */
function round(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  const exactHalf = next === 5 && nd + 1 === x.d.length;
  const up = exactHalf ? nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1 : next >= 5;
  if (!up) return { d: x.d.slice(0, nd).replace(/0+$/, ''), dp: x.dp };
  let i = nd - 1;
  while (i >= 0 && x.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

function fmtE(x: Digits, prec: number, upper: boolean): string {
  let s = x.d[0] ?? '0';
  if (prec > 0) s += '.' + x.d.slice(1, 1 + prec).padEnd(prec, '0');
  const exp = x.d.length === 0 ? 0 : x.dp - 1;
  return `${s}${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function fmtF(x: Digits, prec: number): string {
  let s = x.dp > 0 ? x.d.slice(0, x.dp).padEnd(x.dp, '0') : '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      s += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return s;
}

/** Shortest digits that round-trip (Go's precision -1); JS produces the same shortest digits. */
function shortestDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const [mantissa, exp] = Math.abs(v).toExponential().split('e') as [string, string];
  const d = mantissa.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(exp) + 1 };
}

/** Formats `v` like strconv.FormatFloat(v, verb, prec, 64); prec -1 means the shortest representation. */
export function formatGoFloatVerb(v: number, verb: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0) ? '-' : '';
  const shortest = prec < 0;
  let x = shortest ? shortestDigits(v) : exactDigits(v);
  const lower = verb.toLowerCase();
  if (lower === 'e') {
    if (!shortest) x = round(x, prec + 1);
    return neg + fmtE(x, shortest ? Math.max(x.d.length - 1, 0) : prec, verb === 'E');
  }
  if (lower === 'f') {
    if (!shortest) x = round(x, x.dp + prec);
    return neg + fmtF(x, shortest ? Math.max(x.d.length - x.dp, 0) : prec);
  }
  let p = prec;
  if (!shortest) {
    if (p === 0) p = 1;
    x = round(x, p);
  }
  let eprec = shortest ? 6 : p;
  if (!shortest && eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
  const digits = shortest ? x.d.length : p;
  const exp = x.dp - 1;
  if (x.d.length > 0 && (exp < -4 || exp >= eprec)) return neg + fmtE(x, Math.min(digits, Math.max(x.d.length, 1)) - 1, verb === 'G');
  return neg + fmtF(x, Math.max((digits > x.dp ? x.d.length : digits) - x.dp, 0));
}
