import type Redis from 'ioredis';
import { once } from 'node:events';
import { GENESIS_HASH, entryProblem, sealEntry, type AuditEntry } from './audit-entry';
import { auditKeys, formatHead, parseHead } from './audit-keys';

/**
 * Compare-and-append. Redis Lua has no SHA-256 or CRC32C, so the entry is sealed in Node and the
 * script only checks that the head is still the one the entry was chained to; if another replica
 * appended in between, it refuses and the caller rebuilds on the new head. Unlike WATCH/MULTI this
 * holds no per-connection state, so it is safe on the shared, pipelined ioredis connection.
 */
const APPEND_LUA = `
local head = redis.call('GET', KEYS[2]) or ''
if head ~= ARGV[1] then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return 1`;

const MAX_APPEND_ATTEMPTS = 1000;
const PAGE = 500;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export interface AuditAppend {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
}

/** The script, registered with defineCommand (EVALSHA, falling back to EVAL after a SCRIPT FLUSH). */
interface AppendCommand {
  wardenAuditAppend(log: string, head: string, expectedHead: string, entry: string, newHead: string): Promise<number>;
}

/** spec §2.1 "Auditable: all state changes logged immutably": an append-only, hash-chained log in Redis. */
export class AuditLog {
  readonly #redis: Redis & AppendCommand;
  readonly #keys: { log: string; head: string };
  readonly #clock: () => number;
  /** Appends from this process go one at a time; only other replicas can make the script refuse. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(opts: { redis: Redis; prefix: string; clock?: () => number }) {
    const redis = opts.redis as Redis & Partial<AppendCommand>;
    if (!redis.wardenAuditAppend) redis.defineCommand('wardenAuditAppend', { numberOfKeys: 2, lua: APPEND_LUA });
    this.#redis = redis as Redis & AppendCommand;
    this.#keys = auditKeys(opts.prefix);
    this.#clock = opts.clock ?? Date.now;
  }

  append(e: AuditAppend): Promise<AuditEntry> {
    const next = this.#tail.then(() => this.#appendNow(e));
    this.#tail = next.catch(() => undefined /* the caller of this append gets the error */);
    return next;
  }

  async #appendNow(e: AuditAppend): Promise<AuditEntry> {
    // Normalise details to what JSON keeps, so the hash covers exactly what is stored.
    const details = JSON.parse(JSON.stringify(e.details ?? {})) as Record<string, unknown>;
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const headText = (await this.#redis.get(this.#keys.head)) ?? '';
      const head = parseHead(headText);
      const entry = sealEntry({
        seq: (head?.seq ?? 0) + 1,
        time: new Date(this.#clock()).toISOString(),
        actor: e.actor,
        action: e.action,
        target: e.target,
        details,
        prevHash: head?.hash ?? GENESIS_HASH,
      });
      const ok = await this.#redis.wardenAuditAppend(this.#keys.log, this.#keys.head, headText, JSON.stringify(entry), formatHead(entry.seq, entry.hash));
      if (ok === 1) return entry;
    }
    throw new Error(`audit append lost ${MAX_APPEND_ATTEMPTS} races in a row; is something rewriting ${this.#keys.head}?`);
  }

  /** Entries with seq > sinceSeq, oldest first. */
  async list(q: { sinceSeq?: number; limit?: number }): Promise<AuditEntry[]> {
    const since = Math.max(0, Math.floor(q.sinceSeq ?? 0));
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(q.limit ?? DEFAULT_LIST_LIMIT)));
    // List index i holds seq i + 1.
    const raw = await this.#redis.lrange(this.#keys.log, since, since + limit - 1);
    return raw.map((r) => JSON.parse(r) as AuditEntry);
  }

  /** Re-walks the whole chain up to the current head; names the first entry that does not fit. */
  async verify(): Promise<AuditVerification> {
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
