import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClusterConfig } from '../config/cluster-schema';
import type { EvaluationLoop } from '../evaluate/evaluation-loop';
import { StreamConsumer } from './replica-fanout-consumer';
import { FanoutMetrics } from './replica-fanout-metrics';
import { StreamPublisher, type FanoutPublisher } from './replica-fanout-publisher';

export type { FanoutPublisher, FanoutSource } from './replica-fanout-publisher';

/**
 * Issue 12: every replica counts a sample pushed to any one of them. Pushes and remote writes
 * accepted over HTTP go to one Redis stream (`<prefix>:fanout`); every replica reads it and
 * applies the others' batches. Scrapes and probes are not fanned out: each replica makes its own.
 */
export interface ReplicaFanout {
  readonly replicaId: string;
  readonly publisher: FanoutPublisher;
  /** Why this replica is not current with the stream, if it is not (for /readyz). */
  catchingUp(): string | undefined;
  stop(): Promise<void>;
}

export interface ReplicaFanoutOptions {
  cluster: ClusterConfig;
  /** Warden's main connection: the fan-out duplicates it (a blocking read must not hold it). */
  redis: Redis;
  prefix: string;
  loop: Pick<EvaluationLoop, 'ingest' | 'seriesGuard'>;
  /** limits.window: how far back a starting replica replays the stream. */
  replayMs: number;
  registry: Registry;
  log: Logger;
  clock?: () => number;
}

const CONNECT_WAIT_MS = 5000;

export async function startReplicaFanout(o: ReplicaFanoutOptions): Promise<ReplicaFanout> {
  const replicaId = o.cluster.replica_id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = o.log.child({ replica: replicaId });
  const streamKey = `${o.prefix}:fanout`;
  const metrics = new FanoutMetrics(o.registry);
  // No offline queue: while Redis is away a publish fails at once instead of piling up in memory.
  const pubConn = o.redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const subConn = o.redis.duplicate({ maxRetriesPerRequest: 1 });
  for (const c of [pubConn, subConn]) c.on('error', (err: Error) => log.debug({ err: err.message }, 'fan-out redis connection error'));
  await connected(pubConn);
  const publisher = new StreamPublisher({ redis: pubConn, streamKey, replicaId, maxLen: o.cluster.fanout_max_len, maxPending: o.cluster.fanout_max_pending, metrics, log, clock: o.clock });
  const consumer = new StreamConsumer({ redis: subConn, streamKey, replicaId, loop: o.loop, replayMs: o.replayMs, metrics, log, clock: o.clock });
  consumer.start();
  log.info({ streamKey, maxLen: o.cluster.fanout_max_len }, 'replica fan-out on');
  return {
    replicaId,
    publisher,
    catchingUp: () => (consumer.caughtUp ? undefined : `catching up on the fan-out stream (at ${consumer.lastId})`),
    async stop() {
      await consumer.stop();
      pubConn.disconnect();
    },
  };
}

function connected(c: Redis): Promise<void> {
  if (c.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fan-out: Redis connection not ready within ${CONNECT_WAIT_MS} ms`)), CONNECT_WAIT_MS);
    c.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
