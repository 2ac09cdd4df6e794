import { z } from 'zod';
import { duration } from './schema-types';

/**
 * `cluster:` (issue 12): several Warden replicas on one Redis elect one leader by a lease; only it
 * acts (pages, remediates, anchors). A lease not renewed within lease_ttl is lost, locally at once.
 * The fan-out of pushes is off unless configured: a single Warden pays nothing for it.
 */
export const clusterConfigSchema = z.strictObject({
  lease_ttl: duration().default(5000),
  renew_interval: duration().default(1000),
  /** Samples pushed to this replica over HTTP are published to the others through a Redis stream. */
  fanout: z.boolean().default(false),
  /** This replica's name in the lease, the member list, the stream and logs; unset, hostname-pid. Must differ between replicas. */
  replica_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be letters, digits, _ . : - (at most 128)').optional(),
  /**
   * The stream keeps about this many batches (XADD MAXLEN ~). A replica further behind than this
   * loses the oldest batches it had not read (counted in warden_fanout_dropped_batches_total).
   */
  fanout_max_len: z.number().int().min(100).default(10_000),
  /** Batches waiting for Redis at most; past it a publish is dropped (best-effort, counted). */
  fanout_max_pending: z.number().int().min(1).default(1000),
}).refine((c) => c.renew_interval * 2 <= c.lease_ttl, { message: 'renew_interval must be at most half of lease_ttl (a lease must survive one missed renewal)', path: ['renew_interval'] })
  .default({ lease_ttl: 5000, renew_interval: 1000, fanout: false, fanout_max_len: 10_000, fanout_max_pending: 1000 });

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
