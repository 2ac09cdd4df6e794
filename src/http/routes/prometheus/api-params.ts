import express, { type Request } from 'express';
import { parseDurationMs } from '../../../config/duration';
import { QueryError } from '../../../rules/instant-query';

/** Form bodies (POST /api/v1/query etc.) are bounded like any other input. */
export const formBody = (limitBytes: number) => express.urlencoded({ extended: false, limit: limitBytes, parameterLimit: 1000 });

/** One parameter from the URL or a form body (Prometheus reads both, the form winning), the first if repeated. */
export function param(req: Request, name: string): string | undefined {
  const v = fromBody(req, name) ?? (req.query as Record<string, unknown>)[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
}

/** Every value of a repeated parameter (`match[]`) from the URL and a form body. */
export function params(req: Request, name: string): string[] {
  const out: string[] = [];
  for (const v of [(req.query as Record<string, unknown>)[name], fromBody(req, name)]) {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
  }
  return out;
}

function fromBody(req: Request, name: string): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return body && typeof body === 'object' && !Buffer.isBuffer(body) && Object.hasOwn(body, name) ? body[name] : undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Prometheus' parseTime: seconds since the epoch (a float) or RFC 3339; to ms. */
export function parseTime(text: string | undefined, name: string, fallbackMs: number): number {
  if (text === undefined || text === '') return fallbackMs;
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n)) return Math.round(n * 1000);
  if (RFC3339.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new QueryError('bad_data', `invalid parameter "${name}": cannot parse ${JSON.stringify(text)} to a valid timestamp`);
}

/** Prometheus' parseDuration: seconds (a float) or a duration like 30s; to ms. */
export function parseDuration(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  const ms = Number.isFinite(n) ? n * 1000 : parseDurationMs(text);
  if (ms === undefined || ms < 0) throw new QueryError('bad_data', `invalid parameter "${name}": cannot parse ${JSON.stringify(text)} to a valid duration`);
  return ms;
}

/** `limit`: a non-negative integer; 0 or absent means none (Prometheus 2.49+). */
export function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new QueryError('bad_data', `invalid parameter "limit": ${JSON.stringify(text)} must be a non-negative integer`);
  return n === 0 ? undefined : n;
}
