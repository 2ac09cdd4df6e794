import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../errors';
import type { JournalSink } from './outbox-journal';
import { isRedisUnavailable } from './redis-unavailable';

export interface OutboxWrite {
  /** What is written, for logs ("health events", "incident transition"). */
  readonly kind: string;
  /** A later write with the same key supersedes a queued one (a SET of the whole current state). */
  readonly coalesceKey?: string;
  readonly write: () => Promise<void>;
  /** What the owner rebuilds this write from after a crash (JSON); without it the write is never journaled. */
  readonly record?: unknown;
}

/**
 * Writes made in batches: consecutive queued items of one batch are handed to one `writeMany`
 * call (in order, at most `max`), so a storm of small writes costs one round trip per batch, not per item.
 */
export interface OutboxBatch<T> {
  /** What is written, for logs. */
  readonly kind: string;
  readonly max: number;
  /** Must be idempotent and cope with being called again with the same items and more (a retry). */
  readonly writeMany: (items: T[]) => Promise<void>;
  /** Items are JSON and journaled as they are (see WriteOutboxOptions.journal). */
  readonly journaled?: boolean;
}

export interface WriteOutboxOptions {
  /** The outbox's name: the `outbox` label of its metrics. */
  name: string;
  log: Logger;
  registry?: Registry;
  /** Writes waiting beyond this are dropped oldest first (and logged): memory stays bounded. */
  maxDepth?: number;
  /** Pause before retrying a write Redis was not there for; `wake()` cuts it short. */
  retryDelayMs?: (attempt: number) => number;
  /**
   * Where writes that wait for Redis are kept on disk (kill -9 during an outage loses nothing):
   * from the first write Redis was not there for (or journalAll()) until the outbox is empty again.
   */
  journal?: JournalSink;
}

interface Queued {
  readonly w: OutboxWrite;
  /** Set for an item of a batch (then `w.write` is unused). */
  readonly batch?: { readonly of: OutboxBatch<unknown>; readonly item: unknown };
  readonly waiters: Array<{ resolve(): void; reject(err: unknown): void }>;
  /** Its journal record's id once journaled. */
  journalId?: number;
}

const DEFAULT_MAX_DEPTH = 10_000;
const defaultDelay = (attempt: number) => Math.min(2_000, 100 * 2 ** Math.min(attempt, 5));

/**
 * Durable writes, made strictly in the order they were asked for, one at a time. A write that
 * fails because Redis is not there stays at the head and is made again once Redis answers, so
 * nothing decided while Redis was down or frozen is lost and nothing is written out of order
 * (issue 9; spec §2.1 recoverable). Each write's promise settles when it is in Redis, however long
 * that takes: a caller that must answer in bounded time races it (see routes/ingest.ts).
 * Writes must be idempotent: one whose reply was lost with the connection is made again.
 */
export class WriteOutbox {
  readonly #o: WriteOutboxOptions;
  readonly #queue: Queued[] = [];
  readonly #maxDepth: number;
  #draining = false;
  /** Writes at the head being made right now (a batch may be several): never coalesced, dropped or failed by close(). */
  #inFlight = 0;
  #closed = false;
  #idle: Promise<void> | undefined;
  #resolveIdle: (() => void) | undefined;
  #wake: (() => void) | undefined;
  /** While set, every queued write is journaled (see WriteOutboxOptions.journal). */
  #journaling = false;

  constructor(opts: WriteOutboxOptions) {
    this.#o = opts;
    this.#maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (opts.registry) registerOutboxMetrics(opts.registry, opts.name, this);
  }

  get depth(): number {
    return this.#queue.length;
  }

  /** `journal`: journal it now whatever the state (a write replayed from a previous run's journal). */
  enqueue(w: OutboxWrite, opts: { journal?: boolean } = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`${this.#o.name} outbox is closed`));
    return new Promise<void>((resolve, reject) => {
      const waiters = [{ resolve, reject }];
      if (w.coalesceKey !== undefined) {
        // Never the head while a drain runs: that write may be in flight.
        const from = this.#inFlight;
        const i = this.#queue.findIndex((q, idx) => idx >= from && q.w.coalesceKey === w.coalesceKey);
        if (i >= 0) {
          const superseded = this.#queue.splice(i, 1)[0] as Queued;
          this.#journalDone(superseded);
          waiters.push(...superseded.waiters);
        }
      }
      this.#push({ w, waiters }, opts.journal);
    });
  }

  /** Queues one item of `batch`: made together with the items of the same batch queued next to it. */
  enqueueItem<T>(batch: OutboxBatch<T>, item: T, opts: { journal?: boolean } = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`${this.#o.name} outbox is closed`));
    return new Promise<void>((resolve, reject) => {
      const of = batch as OutboxBatch<unknown>;
      const w: OutboxWrite = { kind: batch.kind, write: () => of.writeMany([item]), ...(batch.journaled ? { record: item } : {}) };
      this.#push({ w, batch: { of, item }, waiters: [{ resolve, reject }] }, opts.journal);
    });
  }

  #push(q: Queued, journal = false): void {
    this.#queue.push(q);
    if (journal) this.#journaling = true;
    if (this.#journaling) this.#journalOne(q);
    if (this.#queue.length > this.#maxDepth) this.#dropOldest();
    if (!this.#draining) void this.#drain();
  }

  /**
   * Redis stopped answering (or froze): from now until the outbox is empty, every queued write is
   * also kept in the journal, those queued already included, so a kill -9 meanwhile loses none.
   */
  journalAll(): void {
    if (!this.#o.journal) return;
    this.#journaling = true;
    for (const q of this.#queue) this.#journalOne(q);
  }

  #journalOne(q: Queued): void {
    if (q.journalId !== undefined || q.w.record === undefined || !this.#o.journal) return;
    q.journalId = this.#o.journal.append(this.#o.name, q.w.kind, q.w.record);
  }

  #journalDone(q: Queued): void {
    if (q.journalId === undefined) return;
    this.#o.journal?.done(q.journalId);
    q.journalId = undefined;
  }

  /** Resolves once nothing waits (every write made, dropped, or the outbox closed). */
  idle(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    // One promise for every caller: a long outage with many pushes holds one, not one per push.
    this.#idle ??= new Promise((resolve) => (this.#resolveIdle = resolve));
    return this.#idle;
  }

  #becameIdle(): void {
    const resolve = this.#resolveIdle;
    this.#idle = undefined;
    this.#resolveIdle = undefined;
    resolve?.();
  }

  /**
   * Stops retrying (shutdown): what still waits is lost with the process, as a kill -9 would lose
   * it; says how much, and rejects the waiters.
   */
  close(): void {
    this.#closed = true;
    const left = this.#queue.splice(this.#inFlight);
    // Journaled writes stay in the journal (not marked done): the next start makes them.
    const kept = left.filter((q) => q.journalId !== undefined).length;
    if (kept > 0) this.#o.log.warn({ outbox: this.#o.name, writes: kept }, 'shutdown with durable writes still waiting for Redis: kept in the journal for the next start');
    if (left.length > kept) this.#o.log.error({ outbox: this.#o.name, writes: left.length - kept }, 'shutdown with durable writes still waiting for Redis: they are lost');
    for (const q of left) for (const w of q.waiters) w.reject(new Error(`${this.#o.name} outbox closed before Redis answered`));
    if (!this.#draining) this.#becameIdle();
    this.wake();
  }

  /** Redis answers again: retry now rather than at the end of the pause. */
  wake(): void {
    this.#wake?.();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    let attempt = 0;
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0] as Queued;
        // Taken again on every attempt: a retry also carries what queued up behind the batch meanwhile.
        const n = this.#batchLength();
        this.#inFlight = n;
        try {
          if (head.batch) await head.batch.of.writeMany(this.#queue.slice(0, n).map((q) => q.batch?.item));
          else await head.w.write();
        } catch (err) {
          this.#inFlight = 0;
          if (this.#closed || !isRedisUnavailable(err)) {
            if (!this.#closed) this.#o.log.error({ err: errorMessage(err), outbox: this.#o.name, kind: head.w.kind, writes: n }, 'durable write failed for good: dropped');
            this.#settle(n, err);
            continue;
          }
          if (attempt === 0) this.#o.log.warn({ err: errorMessage(err), outbox: this.#o.name, kind: head.w.kind, depth: this.#queue.length }, 'Redis unavailable: durable writes queued until it answers');
          this.journalAll();
          await this.#pause((this.#o.retryDelayMs ?? defaultDelay)(attempt++));
          continue;
        }
        if (attempt > 0) this.#o.log.info({ outbox: this.#o.name, kind: head.w.kind, attempts: attempt + 1 }, 'Redis answers again: queued durable write made');
        attempt = 0;
        this.#inFlight = 0;
        this.#settle(n);
        // Redis took a write and nothing else waits: back to writing straight through.
        if (this.#queue.length === 0) this.#journaling = false;
      }
    } finally {
      this.#draining = false;
      if (this.#queue.length === 0) this.#becameIdle();
    }
  }

  /** How many queued writes from the head go out together: the head's batch items next to it, or 1. */
  #batchLength(): number {
    const of = this.#queue[0]?.batch?.of;
    if (!of) return 1;
    let n = 1;
    while (n < this.#queue.length && n < of.max && this.#queue[n]?.batch?.of === of) n++;
    return n;
  }

  /** The first `n` writes are made (or failed for good): settles their waiters. */
  #settle(n: number, err?: unknown): void {
    for (const q of this.#queue.splice(0, n)) {
      this.#journalDone(q);
      for (const w of q.waiters) if (err === undefined) w.resolve(); else w.reject(err);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  #dropOldest(): void {
    // The head may be in flight; drop the oldest behind it.
    const i = this.#inFlight;
    const [dropped] = this.#queue.splice(i, 1) as [Queued];
    this.#journalDone(dropped);
    droppedCounter(this.#o.registry)?.inc({ outbox: this.#o.name });
    this.#o.log.error({ outbox: this.#o.name, kind: dropped.w.kind, maxDepth: this.#maxDepth }, 'durable write outbox full: oldest queued write dropped (it will never reach Redis)');
    for (const w of dropped.waiters) w.reject(new Error(`${this.#o.name} outbox full (${this.#maxDepth} writes waiting for Redis): write dropped`));
  }
}

const DEPTH = 'warden_outbox_depth';
const DROPPED = 'warden_outbox_dropped_total';
const outboxes = new WeakMap<Registry, Map<string, { readonly depth: number }>>();

/** Publishes `depth` as warden_outbox_depth{outbox=name}: for queues of durable writes kept elsewhere (the audit writer's). */
export function registerOutboxMetrics(registry: Registry, name: string, outbox: { readonly depth: number }): void {
  let byName = outboxes.get(registry);
  if (!byName) {
    const known = new Map<string, { readonly depth: number }>();
    byName = known;
    outboxes.set(registry, known);
    new Gauge({
      name: DEPTH, help: 'Durable writes waiting for Redis (made in order once it answers).', labelNames: ['outbox'], registers: [registry],
      collect() { for (const [n, o] of known) this.set({ outbox: n }, o.depth); },
    });
    new Counter({ name: DROPPED, help: 'Durable writes dropped because their outbox was full while Redis was unavailable.', labelNames: ['outbox'], registers: [registry] });
  }
  byName.set(name, outbox);
  (registry.getSingleMetric(DROPPED) as Counter<'outbox'>).inc({ outbox: name }, 0);
}

function droppedCounter(registry: Registry | undefined): Counter<'outbox'> | undefined {
  return registry?.getSingleMetric(DROPPED) as Counter<'outbox'> | undefined;
}
