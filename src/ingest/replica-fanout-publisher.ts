import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Sample } from '../signals/sample';
import { encodeSamples, type EncodedBatch } from './encoded-batch';
import { encodeFrame } from './replica-fanout-codec';
import type { FanoutMetrics } from './replica-fanout-metrics';

/** Where a fanned-out batch entered Warden (the consumer applies it under its own source). */
export type FanoutSource = 'push' | 'remote_write';

/** What the HTTP ingest routes see: publishing never waits and never throws. */
export interface FanoutPublisher {
  publishSamples(samples: readonly Sample[], source: FanoutSource): void;
  /** A batch parsed off-thread is already encoded: published as is, not encoded again. */
  publishBatch(batch: EncodedBatch, source: FanoutSource): void;
}

export interface StreamPublisherOptions {
  /** A connection of the fan-out's own, without an offline queue: a publish while Redis is away fails at once. */
  redis: Redis;
  streamKey: string;
  replicaId: string;
  maxLen: number;
  maxPending: number;
  metrics: FanoutMetrics;
  log: Logger;
  clock?: () => number;
}

/**
 * One XADD per accepted request (MAXLEN ~ keeps the stream bounded). Best-effort: the request was
 * applied here already and does not wait for the XADD; a publish that fails or finds `maxPending`
 * XADDs outstanding is dropped and counted, and the other replicas count the gap in our sequence.
 */
export class StreamPublisher implements FanoutPublisher {
  readonly #o: StreamPublisherOptions;
  readonly #clock: () => number;
  #seq = 0;
  #pending = 0;
  #lastFailureLogMs = -Infinity;

  constructor(opts: StreamPublisherOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
  }

  publishSamples(samples: readonly Sample[], source: FanoutSource): void {
    if (samples.length === 0) return;
    this.publishBatch(encodeSamples(samples, samples.length * 64), source);
  }

  publishBatch(batch: EncodedBatch, source: FanoutSource): void {
    if (batch.count === 0) return;
    const { redis, streamKey, replicaId, maxLen, maxPending, metrics } = this.#o;
    // Numbered before the XADD: a batch that never reaches the stream shows as a gap to consumers.
    const seq = ++this.#seq;
    if (this.#pending >= maxPending) return this.#failed(source, 'backlog', `${maxPending} publishes already waiting for Redis`);
    this.#pending++;
    const frame = encodeFrame(batch);
    redis
      .xadd(streamKey, 'MAXLEN', '~', maxLen, '*', 'r', replicaId, 'q', seq, 't', this.#clock(), 's', source, 'b', frame)
      .then(() => metrics.published.inc({ source }), (err: unknown) => this.#failed(source, 'redis', (err as Error).message))
      .finally(() => this.#pending--);
  }

  get pending(): number {
    return this.#pending;
  }

  #failed(source: FanoutSource, reason: string, message: string): void {
    this.#o.metrics.publishFailed.inc({ source, reason });
    // Once a second at most: a Redis outage under load would otherwise log every request.
    const now = this.#clock();
    if (now - this.#lastFailureLogMs < 1000) return;
    this.#lastFailureLogMs = now;
    this.#o.log.warn({ reason, err: message }, 'fan-out publish dropped: other replicas will not see this batch (applied here)');
  }
}
