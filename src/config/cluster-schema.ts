import { z } from 'zod';

/**
 * `cluster:` (issue 12): several Warden replicas on one Redis. Off unless configured: a single
 * Warden pays nothing for it. Other cluster keys (the leader lease) sit beside these.
 */
export const clusterConfigSchema = z.strictObject({
  /** Samples pushed to this replica over HTTP are published to the others through a Redis stream. */
  fanout: z.boolean().default(false),
  /** This replica's name in the stream (and logs); unset, hostname-pid-random, new on every start. */
  replica_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be letters, digits, _ . : - (at most 128)').optional(),
  /**
   * The stream keeps about this many batches (XADD MAXLEN ~). A replica further behind than this
   * loses the oldest batches it had not read (counted in warden_fanout_dropped_batches_total).
   */
  fanout_max_len: z.number().int().min(100).default(10_000),
  /** Batches waiting for Redis at most; past it a publish is dropped (best-effort, counted). */
  fanout_max_pending: z.number().int().min(1).default(1000),
}).default({ fanout: false, fanout_max_len: 10_000, fanout_max_pending: 1000 });

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
