/**
 * promtool's expanding notation for `input_series[].values`:
 *   'a+bxn' -> a, a+b, ..., a+n*b    'a-bxn' -> a, a-b, ..., a-n*b    'axn' -> a repeated n+1 times
 *   '_' a missing sample, '_xn' n missing samples, 'stale' a staleness marker.
 */
export type SeriesValue = number | 'missing' | 'stale';

const NUM = String.raw`[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[iI]nf|NaN|nan|0x[0-9a-fA-F]+)`;
const UNSIGNED = String.raw`(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[iI]nf|NaN|nan)`;
const SINGLE_RE = new RegExp(`^${NUM}$`);
const EXPAND_RE = new RegExp(`^(${NUM})(?:([+-])(${UNSIGNED}))?x(\\d+)$`);
const MISSING_RE = /^_x(\d+)$/;

function toNumber(text: string): number {
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan' || lower === '-nan') return NaN;
  return Number(text);
}

/** Throws Error naming the token that is not valid notation. */
export function expandSeriesValues(text: string | number): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const token of String(text).trim().split(/\s+/).filter(Boolean)) {
    if (token === '_') {
      out.push('missing');
      continue;
    }
    if (token === 'stale') {
      out.push('stale');
      continue;
    }
    const missing = MISSING_RE.exec(token);
    if (missing) {
      for (let i = 0; i < Number(missing[1]); i++) out.push('missing');
      continue;
    }
    if (SINGLE_RE.test(token)) {
      out.push(toNumber(token));
      continue;
    }
    const m = EXPAND_RE.exec(token);
    if (!m) throw new Error(`invalid series value "${token}" (expected a number, a+bxn, a-bxn, axn, _, _xn or stale)`);
    const start = toNumber(m[1] as string);
    const step = m[2] ? (m[2] === '-' ? -1 : 1) * toNumber(m[3] as string) : 0;
    const n = Number(m[4]);
    // added step by step, as promtool does, so float results match its own
    let value = start;
    for (let i = 0; i <= n; i++, value += step) out.push(value);
  }
  return out;
}
