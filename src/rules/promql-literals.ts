import { parseDurationMs } from '../config/duration';

/** PromQL number literal: decimal, hex, Inf/NaN, `_` digit separators, or a duration in seconds. */
export function parseNumberLiteral(text: string): number | undefined {
  let body = text.trim();
  let sign = 1;
  if (body.startsWith('-') || body.startsWith('+')) {
    if (body[0] === '-') sign = -1;
    body = body.slice(1).trim();
  }
  const lower = body.toLowerCase();
  if (lower === 'inf') return sign * Infinity;
  if (lower === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/i.test(body)) return sign * parseInt(body.slice(2), 16);
  const ms = parseDurationMs(body);
  if (ms !== undefined) return (sign * ms) / 1000;
  const n = Number(body.replace(/_/g, ''));
  return Number.isNaN(n) ? undefined : sign * n;
}

/** Duration inside `[...]`: a Prometheus duration ("5m") or a plain number of seconds. */
export function parseRangeMs(text: string): number | undefined {
  const ms = parseDurationMs(text.trim());
  if (ms !== undefined) return ms;
  const seconds = Number(text.trim());
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };

/** Decodes a PromQL string literal ("...", '...' with Go escapes, or `raw`). Undefined when unterminated. */
export function parseStringLiteral(text: string): string | undefined {
  const quote = text[0];
  if (text.length < 2 || text[text.length - 1] !== quote) return undefined;
  const inner = text.slice(1, -1);
  if (quote === '`') return inner;
  return inner.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_m, esc: string) => {
    if (esc.length > 1) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ESCAPES[esc] ?? esc;
  });
}
