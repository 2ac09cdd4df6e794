import { z } from 'zod';
import { parseDurationMs } from '../../config/duration';

/** Backend states that may be reaped. `active` is deliberately absent: never kill a running query. */
export const REAPABLE_STATES = ['idle', 'idle in transaction', 'idle in transaction (aborted)'] as const;

export const reapConnectionsParamsSchema = z
  .strictObject({
    /** spec §11.2: "Close idle connections > 5 min". */
    idle_for: z.string().refine((s) => parseDurationMs(s) !== undefined, 'must be a duration such as "5m"').default('5m'),
    /** Only backends connected to these databases / as these users. At least one list is required. */
    databases: z.array(z.string().min(1)).min(1).optional(),
    users: z.array(z.string().min(1)).min(1).optional(),
    /** Plain `idle` by default; idle-in-transaction holds locks and is only reaped when listed here. */
    states: z.array(z.enum(REAPABLE_STATES)).min(1).default(['idle']),
    /** Safety cap per run; the rest waits for the next job. */
    max_connections: z.number().int().min(1).default(500),
  })
  .refine((p) => p.databases !== undefined || p.users !== undefined, {
    message: 'name the databases or users to reap (a run never spans the whole server)',
    path: ['databases'],
  });

export type ReapConnectionsParams = z.output<typeof reapConnectionsParamsSchema>;
