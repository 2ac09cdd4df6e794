import type Redis from 'ioredis';
import { once } from 'node:events';
import type { JournalRecord, JournalSink } from '../runtime/outbox-journal';
import { AuditChainWriter } from './audit-chain-writer';
import { canonicalJson } from './canonical-json';
import { GENESIS_HASH, entryProblem, type AuditEntry, type AuditEntryFields } from './audit-entry';
import type { AuditAnchor } from './audit-anchor';
import { auditKeys, parseHead } from './audit-keys';

/** seq, time, prevHash, hash, crc32c and the field names, stored with every entry. */
const ENTRY_OVERHEAD_BYTES = 300;
const PAGE = 500;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
/** How far back a replay looks for entries that did land before the crash (besides the replayed count). */
const REPLAY_LOOKBACK = 1000;

export interface AuditAppend {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
  /** When the step happened, if earlier than now (a step re-driven after a Redis outage). */
  atMs?: number;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
}

/** spec §2.1 "Auditable: all state changes logged immutably": an append-only, hash-chained log in Redis. */
export class AuditLog {
  readonly #redis: Redis;
  readonly #keys: { log: string; head: string };
  readonly #clock: () => number;
  /** Appends from this process are batched in call order; see AuditChainWriter. */
  readonly #writer: AuditChainWriter;
  readonly #onWritten: ((entry: AuditEntry) => void) | undefined;

  /** `onWritten`: told of each entry once it is in Redis (the event bus's `audited`); must not throw. */
  /** `journal`: keeps entries nobody awaits (untilWritten) on disk while Redis is unavailable. */
  constructor(opts: { redis: Redis; prefix: string; clock?: () => number; onWritten?: (entry: AuditEntry) => void; journal?: JournalSink }) {
    this.#redis = opts.redis;
    this.#onWritten = opts.onWritten;
    this.#keys = auditKeys(opts.prefix);
    this.#clock = opts.clock ?? Date.now;
    this.#writer = new AuditChainWriter(opts.redis, this.#keys, opts.journal);
  }

  /** Redis stopped answering: kept entries go to the journal too. */
  journalAll(): void {
    this.#writer.journalAll();
  }

  /**
   * Appends the entries a previous run journaled and never saw written, with their original
   * times, ahead of this run's. One that did land (Redis took it, the process died before the
   * reply) is found among the last entries by its content and not appended twice.
   * Returns how many were appended.
   */
  async replay(records: readonly JournalRecord[], onFailed: (err: unknown) => void): Promise<number> {
    const fields = records.map((r) => r.data as AuditEntryFields).filter((f) => f !== null && typeof f === 'object' && typeof f.action === 'string' && typeof f.time === 'string');
    if (fields.length === 0) return 0;
    const tail = await this.#redis.lrange(this.#keys.log, -(fields.length + REPLAY_LOOKBACK), -1);
    const landed = new Map<string, number>();
    for (const raw of tail) {
      const key = contentKey(JSON.parse(raw) as AuditEntry);
      landed.set(key, (landed.get(key) ?? 0) + 1);
    }
    let appended = 0;
    for (const f of fields) {
      const key = contentKey(f);
      const n = landed.get(key) ?? 0;
      if (n > 0) {
        landed.set(key, n - 1);
        continue;
      }
      const approxBytes = ENTRY_OVERHEAD_BYTES + JSON.stringify(f).length;
      const onWritten = this.#onWritten;
      void this.#writer.append({ time: f.time, actor: f.actor, action: f.action, target: f.target, details: f.details ?? {} }, approxBytes, true, true).then((e) => onWritten?.(e), onFailed);
      appended++;
    }
    return appended;
  }

  /**
   * Resolves once the entry is stored in Redis, chained after every entry this process appended
   * before it. The time is when append was called (the step happened), not when the batch went out.
   * `untilWritten`: while Redis is unavailable the entry waits and is written once it answers
   * (for entries nobody awaits, such as incident transitions); otherwise the append fails fast.
   */
  append(e: AuditAppend, opts: { untilWritten?: boolean } = {}): Promise<AuditEntry> {
    let detailsJson: string;
    try {
      // Normalise details to what JSON keeps, so the hash covers exactly what is stored.
      detailsJson = JSON.stringify(e.details ?? {});
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (detailsJson === undefined) return Promise.reject(new TypeError('audit details must be a JSON object'));
    const details = JSON.parse(detailsJson) as Record<string, unknown>;
    const time = new Date(e.atMs !== undefined && Number.isFinite(e.atMs) ? e.atMs : this.#clock()).toISOString();
    const approxBytes = ENTRY_OVERHEAD_BYTES + e.actor.length + e.action.length + e.target.length + detailsJson.length;
    const written = this.#writer.append({ time, actor: e.actor, action: e.action, target: e.target, details }, approxBytes, opts.untilWritten ?? false);
    const onWritten = this.#onWritten;
    return onWritten ? written.then((entry) => (onWritten(entry), entry)) : written;
  }

  /** Entries waiting to be written (kept through a Redis outage, see append). */
  get depth(): number {
    return this.#writer.depth;
  }

  /** Redis answers again: write the kept entries now. */
  retryNow(): void {
    this.#writer.retryNow();
  }

  /** Entries with seq > sinceSeq, oldest first. */
  async list(q: { sinceSeq?: number; limit?: number }): Promise<AuditEntry[]> {
    const since = Math.max(0, Math.floor(q.sinceSeq ?? 0));
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(q.limit ?? DEFAULT_LIST_LIMIT)));
    // List index i holds seq i + 1.
    const raw = await this.#redis.lrange(this.#keys.log, since, since + limit - 1);
    return raw.map((r) => JSON.parse(r) as AuditEntry);
  }

  /** The last entry's seq and hash (undefined for an empty log). */
  async head(): Promise<AuditAnchor | undefined> {
    return parseHead(await this.#redis.get(this.#keys.head));
  }

  /**
   * Re-walks the whole chain up to the current head; names the first entry that does not fit.
   * `anchors` (seq, hash recorded outside Redis) also catch a history rewritten consistently from
   * some entry to the head, or rolled back to before an anchor.
   */
  async verify(anchors: readonly AuditAnchor[] = []): Promise<AuditVerification> {
    const walked = await this.#walk(anchors);
    if (!walked.ok) return walked;
    const beyond = anchors.filter((a) => a.seq > walked.checked).sort((a, b) => a.seq - b.seq)[0];
    if (beyond) return { ok: false, checked: walked.checked, firstBadSeq: walked.checked + 1, reason: `anchor at seq ${beyond.seq} is past the head (seq ${walked.checked}): entries were removed` };
    return walked;
  }

  async #walk(anchors: readonly AuditAnchor[]): Promise<AuditVerification> {
    const anchored = new Map<number, string[]>();
    for (const a of anchors) anchored.set(a.seq, [...(anchored.get(a.seq) ?? []), a.hash]);
    const [[, headText], [, length]] = (await this.#redis.multi().get(this.#keys.head).llen(this.#keys.log).exec()) as [[null, string | null], [null, number]];
    const head = parseHead(headText);
    const upTo = head?.seq ?? 0;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    for (let start = 0; start < Math.min(upTo, length); start += PAGE) {
      const page = await this.#redis.lrange(this.#keys.log, start, Math.min(upTo, start + PAGE) - 1);
      for (const [i, raw] of page.entries()) {
        const seq = start + i + 1;
        const problem = entryProblem(raw, seq, prevHash);
        if (problem) return { ok: false, checked, firstBadSeq: seq, reason: problem };
        prevHash = (JSON.parse(raw) as AuditEntry).hash;
        if (anchored.get(seq)?.some((h) => h !== prevHash)) return { ok: false, checked, firstBadSeq: seq, reason: 'hash differs from the anchor recorded outside Redis (history rewritten)' };
        checked += 1;
      }
    }
    if (length < upTo) return { ok: false, checked, firstBadSeq: length + 1, reason: `entries ${length + 1}..${upTo} are missing (log truncated)` };
    if (head && head.hash !== prevHash) return { ok: false, checked, firstBadSeq: upTo, reason: 'head hash does not match the last entry' };
    if (!head && length > 0) return { ok: false, checked, firstBadSeq: 1, reason: 'entries exist but the head is missing' };
    return { ok: true, checked };
  }

  /** Writes every entry as one JSON line, honouring back-pressure; returns how many. */
  async exportJsonl(out: NodeJS.WritableStream): Promise<number> {
    let n = 0;
    for (let start = 0; ; start += PAGE) {
      const page = await this.#redis.lrange(this.#keys.log, start, start + PAGE - 1);
      for (const raw of page) {
        if (!out.write(`${raw}\n`)) await once(out as NodeJS.EventEmitter, 'drain');
        n += 1;
      }
      if (page.length < PAGE) return n;
    }
  }
}

/** What identifies an entry apart from its place in the chain. */
function contentKey(e: AuditEntryFields): string {
  return canonicalJson({ time: e.time, actor: e.actor, action: e.action, target: e.target, details: e.details ?? {} });
}
