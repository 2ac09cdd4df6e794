import type { z } from 'zod';
import { PermanentError } from '../../errors';

/** Validates an executor's params; bad params can never succeed, so they are a PermanentError. */
export function parseParams<S extends z.ZodType>(action: string, schema: S, params: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
  throw new PermanentError(`${action}: invalid params: ${issues}`);
}
