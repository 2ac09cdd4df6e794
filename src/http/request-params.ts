import type { z } from 'zod';
import { RequestError } from '../errors';

/**
 * Query parameters and request bodies, validated one way for every /v1 route: any bad query
 * parameter is 400 `invalid_query` naming it, every list takes the same `limit` (1-1000, default
 * 100), and a body zod rejects is a 400 with the route's code through toRequestError.
 */
export const LIST_LIMIT = { default: 100, max: 1000 } as const;

/** `limit=` of a list: 1..1000, 100 when absent. */
export function limitParam(raw: unknown): number {
  return intParam(raw, 'limit', 1, LIST_LIMIT.max) ?? LIST_LIMIT.default;
}

/** A whole number in [min, max], or undefined when absent. */
export function intParam(raw: unknown, field: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new RequestError(400, 'invalid_query', `${field} must be an integer from ${min} to ${max}`, { field });
  }
  return Number(raw);
}

/** One of `allowed`, or undefined when absent. */
export function oneOfParam<T extends string>(raw: unknown, allowed: readonly T[], field: string): T | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw new RequestError(400, 'invalid_query', `${field} must be one of ${allowed.join(', ')}`, { field });
  }
  return raw as T;
}

/** A string matching `pattern` (described by `shape` in the message), or undefined when absent. */
export function patternParam(raw: unknown, field: string, pattern: RegExp, shape: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !pattern.test(raw)) throw new RequestError(400, 'invalid_query', `${field} must be ${shape}`, { field });
  return raw;
}

/**
 * The one zod issue -> RequestError mapping for request bodies: the first issue, its path as
 * `field` (and `index` when it points into a list), "unknown field" for a key the schema rejects,
 * "is required" for one that is missing.
 */
export function toRequestError(error: z.ZodError, code: string): RequestError {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
  const field = [...path, ...keys.slice(0, 1)].map(String).join('.') || undefined;
  const index = path.find((p): p is number => typeof p === 'number');
  let message: string;
  if (issue?.code === 'unrecognized_keys') message = `unknown field "${keys[0]}"`;
  else if (issue?.code === 'invalid_type' && /received undefined/.test(issue.message)) message = `${field ?? 'body'} is required`;
  else message = `${field ?? 'body'}: ${issue?.message ?? 'invalid'}`;
  return new RequestError(400, code, message, { field, index });
}

/** Parses `body` with `schema` or throws toRequestError(…, code). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, code: string): z.output<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  throw toRequestError(r.error, code);
}
