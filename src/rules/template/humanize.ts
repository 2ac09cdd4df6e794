import { formatGoFloatVerb } from './go-float';
import { TemplateFunctionError } from './errors';
import { formatGoFloat } from '../go-float-format';

/**
 * Prometheus' humanize functions (template/template.go and prometheus/common helpers/templates):
 * the same prefixes, thresholds and `%.4g` formatting, so annotations read as they do in Prometheus.
 */

const g4 = (v: number) => formatGoFloatVerb(v, 'g', 4);
const BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const BINARY = ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

function scaleDown(v: number, base: number, prefixes: readonly string[]): [number, string] {
  let prefix = '';
  for (const p of prefixes) {
    if (Math.abs(v) < base) break;
    prefix = p;
    v /= base;
  }
  return [v, prefix];
}

function scaleUp(v: number): [number, string] {
  let prefix = '';
  for (const p of SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return [v, prefix];
}

export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  const [scaled, prefix] = Math.abs(v) >= 1 ? scaleDown(v, 1000, BIG) : scaleUp(v);
  return g4(scaled) + prefix;
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  const [scaled, prefix] = scaleDown(v, 1024, BINARY);
  return g4(scaled) + prefix;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const abs = Math.abs(v);
    // Go truncates to int64 seconds for the d/h/m parts
    const total = Math.trunc(abs);
    const seconds = total % 60;
    const minutes = Math.trunc(total / 60) % 60;
    const hours = Math.trunc(total / 3600) % 24;
    const days = Math.trunc(total / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(abs)}s`;
  }
  const [scaled, prefix] = scaleUp(v);
  return `${g4(scaled)}${prefix}s`;
}

export function humanizePercentage(v: number): string {
  return `${g4(v * 100)}%`;
}

const MAX_INT64 = 9223372036854775807;

/** Go's time.Time.String() of the UTC instant, at the millisecond precision Prometheus keeps (model.Time). */
export function humanizeTimestamp(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  const ns = v * 1e9;
  if (ns > MAX_INT64 || ns < -MAX_INT64 - 1) throw new TemplateFunctionError(`${formatGoFloat(v)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  const ms = Math.trunc(ns / 1e6);
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const frac = ((ms % 1000) + 1000) % 1000;
  const fraction = frac === 0 ? '' : `.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}${fraction} +0000 UTC`;
}
