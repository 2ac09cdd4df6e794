import type Redis from 'ioredis';
import type { JournalSink } from '../runtime/outbox-journal';
import { isRedisUnavailable } from '../runtime/redis-unavailable';
import { GENESIS_HASH, sealChain, type AuditEntry, type AuditEntryFields } from './audit-entry';
import { formatHead, parseHead } from './audit-keys';

/**
 * Compare-and-append of a whole batch. Redis Lua has no SHA-256 or CRC32C, so entries are sealed
 * in Node and the script only checks that the head is still the one the batch was chained to; if
 * another replica appended in between it refuses and returns the head that won, so the writer can
 * reseal the batch on it without a separate GET. Unlike WATCH/MULTI this holds no per-connection
 * state, so it is safe on the shared, pipelined ioredis connection. A head already equal to the
 * new head means this very batch landed (its reply was lost with the connection): the retry
 * succeeds without appending it twice.
 * KEYS[1] log, KEYS[2] head; ARGV[1] expected head, ARGV[2] new head, ARGV[3..] entries in order.
 */
const APPEND_BATCH_LUA = `
local head = redis.call('GET', KEYS[2]) or ''
if head == ARGV[2] then return {1, head} end
if head ~= ARGV[1] then return {0, head} end
redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
redis.call('SET', KEYS[2], ARGV[2])
return {1, ARGV[2]}`;

/** Lua's unpack() is bounded by its C stack (LUAI_MAXCSTACK 8000); stay well below. */
export const MAX_BATCH_ENTRIES = 500;
/** Keeps one script call (and the time Redis is blocked running it) bounded for large details. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_WRITE_ATTEMPTS = 1000;
/** Entries kept for Redis beyond this are refused (the caller logs it): memory stays bounded. */
export const MAX_QUEUED_ENTRIES = 10_000;
/** Pause before re-sending a kept batch while Redis is unavailable. */
const retryDelayMs = (attempt: number) => Math.min(2_000, 100 * 2 ** Math.min(attempt, 5));

interface AppendBatchCommand {
  wardenAuditAppendBatch(log: string, head: string, expectedHead: string, newHead: string, ...entries: string[]): Promise<[number, string]>;
}

interface ChainHead {
  seq: number;
  hash: string;
  /** Exactly as stored in the head key ('' before the first entry): what the script compares. */
  text: string;
}

interface QueuedAppend {
  fields: AuditEntryFields;
  approxBytes: number;
  /** Kept and re-sent (with its original time) while Redis is unavailable, instead of failing. */
  untilWritten: boolean;
  resolve(entry: AuditEntry): void;
  reject(err: unknown): void;
  /** Its journal record once journaled (kept entries only, while Redis is unavailable). */
  journalId?: number;
}

/** The journal's name for the audit writer's kept entries. */
export const AUDIT_OUTBOX = 'audit';
const AUDIT_RECORD_KIND = 'audit entry';

function headFromText(text: string): ChainHead {
  const h = parseHead(text);
  return h ? { ...h, text } : { seq: 0, hash: GENESIS_HASH, text: '' };
}

/**
 * Writes the entries of one process to the chain in call order, one script call in flight at a
 * time: appends made while a call is in flight queue up and go together in the next call. The
 * head (seq, hash) is kept in memory after each write, so an append costs no GET; the script
 * refuses when another replica moved it. Each caller's promise settles only once its entry is in
 * Redis (or the batch it was in failed).
 */
export class AuditChainWriter {
  readonly #redis: Redis & AppendBatchCommand;
  readonly #keys: { log: string; head: string };
  #queue: QueuedAppend[] = [];
  #draining = false;
  /** The last head this writer saw; undefined until loaded, and again after a failed write. */
  #head: ChainHead | undefined;
  /** The head the call in flight was sealed on. */
  #sealedOn: ChainHead | undefined;
  /** Entries at the head of the queue that are a kept batch: re-sent exactly as they were. */
  #kept = 0;
  #wake: (() => void) | undefined;
  readonly #journal: JournalSink | undefined;
  /** While set, kept entries are also journaled (from a write Redis was not there for until the queue is empty). */
  #journaling = false;

  constructor(redis: Redis, keys: { log: string; head: string }, journal?: JournalSink) {
    const r = redis as Redis & Partial<AppendBatchCommand>;
    if (!r.wardenAuditAppendBatch) r.defineCommand('wardenAuditAppendBatch', { numberOfKeys: 2, lua: APPEND_BATCH_LUA });
    this.#redis = r as Redis & AppendBatchCommand;
    this.#keys = keys;
    this.#journal = journal;
  }

  /** Redis stopped answering: kept entries, queued and to come, go to the journal too (kill -9 keeps them). */
  journalAll(): void {
    if (!this.#journal) return;
    this.#journaling = true;
    for (const q of this.#queue) this.#journalOne(q);
  }

  #journalOne(q: QueuedAppend): void {
    if (!q.untilWritten || q.journalId !== undefined || !this.#journal) return;
    q.journalId = this.#journal.append(AUDIT_OUTBOX, AUDIT_RECORD_KIND, q.fields);
  }

  #settled(q: QueuedAppend): void {
    if (q.journalId !== undefined) this.#journal?.done(q.journalId);
    q.journalId = undefined;
  }

  /**
   * `approxBytes`: about how large the stored entry is, to bound a batch's size. `untilWritten`:
   * an entry nobody waits on (an incident transition) is kept while Redis is unavailable and
   * written when it answers, rather than failed; awaited appends still fail fast.
   */
  append(fields: AuditEntryFields, approxBytes: number, untilWritten = false, journal = false): Promise<AuditEntry> {
    if (this.#queue.length >= MAX_QUEUED_ENTRIES) return Promise.reject(new Error(`audit writer full (${MAX_QUEUED_ENTRIES} entries waiting for Redis): entry dropped`));
    return new Promise((resolve, reject) => {
      const q: QueuedAppend = { fields, approxBytes, untilWritten, resolve, reject };
      this.#queue.push(q);
      if (journal) this.#journaling = true;
      if (this.#journaling) this.#journalOne(q);
      if (this.#draining) return;
      this.#draining = true;
      // Start after the current task's synchronous appends have queued, so they share one call.
      queueMicrotask(() => void this.#drain());
    });
  }

  /** Entries waiting to be written. */
  get depth(): number {
    return this.#queue.length;
  }

  /** Redis answers again: re-send a kept batch now. */
  retryNow(): void {
    this.#wake?.();
  }

  async #drain(): Promise<void> {
    let attempt = 0;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#takeBatch();
        try {
          const entries = await this.#write(batch.map((q) => q.fields));
          batch.forEach((q, i) => {
            this.#settled(q);
            q.resolve(entries[i] as AuditEntry);
          });
          attempt = 0;
          this.#kept = 0;
          if (this.#queue.length === 0) this.#journaling = false;
        } catch (err) {
          if (batch[0]?.untilWritten && isRedisUnavailable(err)) {
            // Re-sent sealed on the same head: identical entries, so a batch that did land is not
            // appended twice (see APPEND_BATCH_LUA). Awaited appends queued behind it fail now,
            // as they would on their own.
            this.#head = this.#sealedOn;
            this.#queue.unshift(...batch);
            this.#kept = batch.length;
            this.#failAwaited(err);
            this.journalAll();
            await this.#pause(retryDelayMs(attempt++));
            continue;
          }
          // The script may or may not have run (e.g. a dropped connection): re-read the head next time.
          this.#head = undefined;
          this.#kept = 0;
          for (const q of batch) {
            this.#settled(q);
            q.reject(err);
          }
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #failAwaited(err: unknown): void {
    const failed = this.#queue.filter((q) => !q.untilWritten);
    this.#queue = this.#queue.filter((q) => q.untilWritten);
    for (const q of failed) q.reject(err);
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), ms);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** Consecutive entries of one kind (kept or failed when Redis is unavailable), in call order. */
  #takeBatch(): QueuedAppend[] {
    let bytes = 0;
    let n = 0;
    const kind = this.#queue[0]?.untilWritten;
    // A kept batch grows by nothing queued since: with other entries it would seal to another head.
    const max = this.#kept > 0 ? this.#kept : MAX_BATCH_ENTRIES;
    while (n < this.#queue.length && n < max && (this.#queue[n] as QueuedAppend).untilWritten === kind) {
      bytes += (this.#queue[n] as QueuedAppend).approxBytes;
      if (n > 0 && bytes > MAX_BATCH_BYTES) break;
      n += 1;
    }
    return this.#queue.splice(0, n);
  }

  /** Seals the batch on the known head and appends it; on a lost race, reseals on the winner's head. */
  async #write(fields: readonly AuditEntryFields[]): Promise<AuditEntry[]> {
    this.#sealedOn = undefined;
    let head = this.#head ?? headFromText((await this.#redis.get(this.#keys.head)) ?? '');
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const entries = sealChain(head, fields);
      const last = entries[entries.length - 1] as AuditEntry;
      const newHead = formatHead(last.seq, last.hash);
      this.#sealedOn = head;
      const [ok, current] = await this.#redis.wardenAuditAppendBatch(this.#keys.log, this.#keys.head, head.text, newHead, ...entries.map((e) => JSON.stringify(e)));
      head = headFromText(current);
      this.#head = head;
      if (ok === 1) return entries;
    }
    throw new Error(`audit append lost ${MAX_WRITE_ATTEMPTS} races in a row; is something rewriting ${this.#keys.head}?`);
  }
}

