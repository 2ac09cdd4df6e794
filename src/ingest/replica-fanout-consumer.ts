import { setTimeout as sleep } from 'node:timers/promises';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { EvaluationLoop } from '../evaluate/evaluation-loop';
import { applyInSlices } from './apply-in-slices';
import { BatchReader } from './encoded-batch';
import { decodeFrame, FanoutFrameError } from './replica-fanout-codec';
import type { FanoutMetrics } from './replica-fanout-metrics';

export interface StreamConsumerOptions {
  /** A connection of the consumer's own: XREAD BLOCK holds it. */
  redis: Redis;
  streamKey: string;
  replicaId: string;
  loop: Pick<EvaluationLoop, 'ingest' | 'seriesGuard'>;
  /** Batches published before now - this are not replayed at start (older than limits.window). */
  replayMs: number;
  metrics: FanoutMetrics;
  log: Logger;
  clock?: () => number;
}

/** Entries per XREAD: a read that returns this many means more are waiting (catching up). */
const READ_COUNT = 100;
const BLOCK_MS = 1000;
/** After a failed read: Redis away; the redis health check already says so on /readyz. */
const RETRY_MS = 250;
/** Publishers remembered for gap counting; restarts make new ids, so old ones are forgotten. */
const MAX_PUBLISHERS = 1024;

/**
 * Reads the other replicas' batches from the stream in order and applies them through
 * EvaluationLoop.ingest with this replica's series limits. Samples keep their timestamps, so a
 * batch seen twice or late is handled as any out-of-order push is. Starts `replayMs` back, so a
 * replica started late (or restarted, with an empty store) catches up from what the stream holds.
 */
export class StreamConsumer {
  readonly #o: StreamConsumerOptions;
  readonly #clock: () => number;
  #lastId: string;
  #caughtUp = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  /** Publisher id -> last sequence number applied (gaps are batches we missed). */
  readonly #seqs = new Map<string, number>();

  constructor(opts: StreamConsumerOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#lastId = `${Math.max(0, this.#clock() - opts.replayMs)}-0`;
  }

  /** False until a read reached the stream's end: /readyz says the replica is catching up. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  get lastId(): string {
    return this.#lastId;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    // Ends the blocking XREAD at once instead of after BLOCK_MS.
    this.#o.redis.disconnect();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { redis, streamKey, log } = this.#o;
    let failing = false;
    while (!this.#stopped) {
      let reply: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      try {
        reply = (await redis.xreadBuffer('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', streamKey, this.#lastId)) as typeof reply;
        if (failing) log.info({ lastId: this.#lastId }, 'fan-out stream readable again: catching up');
        failing = false;
      } catch (err) {
        if (this.#stopped) break;
        if (!failing) log.warn({ err: (err as Error).message }, 'fan-out stream not readable: retrying');
        failing = true;
        await sleep(RETRY_MS);
        continue;
      }
      const entries = reply?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        if (this.#stopped) break;
        this.#lastId = id.toString();
        await this.#apply(this.#lastId, fields);
      }
      this.#caughtUp = entries.length < READ_COUNT;
    }
  }

  async #apply(id: string, fields: Buffer[]): Promise<void> {
    const { metrics, log, loop } = this.#o;
    const f = new Map<string, Buffer>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set((fields[i] as Buffer).toString(), fields[i + 1] as Buffer);
    const publisher = f.get('r')?.toString();
    if (publisher === this.#o.replicaId) return;
    const seq = Number(f.get('q')?.toString());
    const sentMs = Number(f.get('t')?.toString());
    const source = f.get('s')?.toString() === 'remote_write' ? 'remote_write' : 'push';
    const frame = f.get('b');
    if (publisher === undefined || !Number.isSafeInteger(seq) || seq < 1 || frame === undefined) {
      metrics.rejected.inc({ reason: 'malformed' });
      log.warn({ id }, 'fan-out entry without publisher, sequence or batch: skipped');
      return;
    }
    this.#countGap(publisher, seq);
    let reader: BatchReader;
    try {
      reader = new BatchReader(decodeFrame(frame));
    } catch (err) {
      if (!(err instanceof FanoutFrameError)) throw err;
      metrics.rejected.inc({ reason: 'malformed' });
      log.warn({ id, publisher, err: err.message }, 'fan-out batch does not decode: skipped');
      return;
    }
    // The same limits as a push here: the whole batch or none of it.
    const violation = loop.seriesGuard.checkBatch(reader, 'fanout');
    if (violation) {
      metrics.rejected.inc({ reason: 'too_many_series' });
      log.warn({ id, publisher, err: violation.message }, 'fan-out batch past the series limits here: skipped');
      return;
    }
    const r = await applyInSlices(reader, (samples) => loop.ingest(samples, 'fanout'));
    r.persisted.catch((err: unknown) => log.error({ err, id }, 'state change of a fanned-out batch failed to persist'));
    metrics.applied.inc({ source });
    if (Number.isFinite(sentMs)) metrics.lag.observe(Math.max(0, this.#clock() - sentMs) / 1000);
  }

  #countGap(publisher: string, seq: number): void {
    const last = this.#seqs.get(publisher);
    if (last !== undefined && seq > last + 1) {
      this.#o.metrics.dropped.inc(seq - last - 1);
      this.#o.log.warn({ publisher, missed: seq - last - 1 }, 'fan-out batches missed (trimmed before read, or never published): this replica lacks them');
    }
    if (last === undefined || seq > last) {
      this.#seqs.delete(publisher);
      this.#seqs.set(publisher, seq);
      if (this.#seqs.size > MAX_PUBLISHERS) this.#seqs.delete(this.#seqs.keys().next().value as string);
    }
  }
}
