import { z } from 'zod';
import { parseBytes, parseDurationMs } from './duration';

/** A Prometheus-style duration string ("5s", "1m30s", "100ms"), parsed to milliseconds at load. */
export const duration = () =>
  z
    .string()
    .regex(/^(?:\d+(?:ms|s|m|h|d|w|y))+$/, 'must be a duration like 100ms, 5s, 1m30s')
    .transform((s) => parseDurationMs(s) as number);

/** A byte size ("10MiB", "512KB") or a plain integer count of bytes. */
export const byteSize = () =>
  z.union([z.number().int().nonnegative(), z.string().regex(/^\d+\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/, 'must be a size like 10MiB')])
    .transform((v) => parseBytes(v) as number);

export const labelName = () => z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a valid label name');
export const httpUrl = () => z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');
