import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Alert, AlertTransition } from '../rules/alert';
import type { JournalRecord, JournalSink } from '../runtime/outbox-journal';
import { within } from '../runtime/within';
import { WriteOutbox, type OutboxWrite } from '../runtime/write-outbox';
import type { HealthSnapshot, HealthStatus, HealthTransition } from './health-types';

export interface HealthTrackerOptions {
  redis: Redis;
  prefix: string;
  log: Logger;
  /** Bound on the transition stream (XADD MAXLEN ~). */
  maxEvents?: number;
  /** For the outbox's depth and drop metrics. */
  registry?: Registry;
  /** Keeps writes that wait for Redis on disk (see WriteOutbox). */
  journal?: JournalSink;
}

type AlertPairs = ReadonlyArray<readonly [string, string | undefined]>;

export interface HealthUpdate {
  readonly transitions: readonly HealthTransition[];
  /**
   * Resolves once the transitions and the snapshot are in Redis (spec §8.3: written before
   * acknowledged). While Redis is down or frozen it stays pending: the writes wait in the outbox.
   */
  readonly persisted: Promise<void>;
}

const NO_WRITE: Promise<void> = Promise.resolve();

/**
 * Appends one transition unless it is already among the last entries: a write whose reply was
 * lost with the connection is made again by the outbox (and ioredis re-sends unanswered
 * commands after a reconnect), and must not add the event twice.
 * KEYS[1] stream; ARGV[1] event id, ARGV[2] event JSON, ARGV[3] MAXLEN.
 */
const APPEND_EVENT_LUA = `
local recent = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 32)
for _, e in ipairs(recent) do
  local f = e[2]
  for i = 1, #f, 2 do
    if f[i] == 'id' and f[i + 1] == ARGV[1] then return e[1] end
  end
end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[2], 'id', ARGV[1])`;

interface AppendEventCommand {
  wardenHealthAppendEvent(stream: string, id: string, event: string, maxLen: string): Promise<string>;
}

/**
 * Remembers the last health snapshot, turns changes into transition events and writes them to a
 * Redis stream, with the current snapshot beside it so health survives a restart.
 */
export class HealthTracker {
  readonly #opts: HealthTrackerOptions;
  readonly #redis: Redis & AppendEventCommand;
  /**
   * One ordered outbox for events, snapshot and alerts rather than a reconcile on reconnect: it
   * keeps each event's original time and order, and the snapshot and alerts SETs coalesce to the
   * newest, so an outage costs one queued write per transition.
   */
  readonly #outbox: WriteOutbox;
  #current: HealthSnapshot | undefined;
  /** Whether this run has written the whole active-alert set once (later saves write changes). */
  #alertsWhole = false;

  constructor(opts: HealthTrackerOptions) {
    this.#opts = opts;
    const r = opts.redis as Redis & Partial<AppendEventCommand>;
    if (!r.wardenHealthAppendEvent) r.defineCommand('wardenHealthAppendEvent', { numberOfKeys: 1, lua: APPEND_EVENT_LUA });
    this.#redis = r as Redis & AppendEventCommand;
    this.#outbox = new WriteOutbox({ name: 'health', log: opts.log, registry: opts.registry, journal: opts.journal });
  }

  /** Redis stopped answering: keep what waits in the journal too. */
  journalAll(): void {
    this.#outbox.journalAll();
  }

  /**
   * Makes the writes a previous run journaled and never got into Redis, in their order and with
   * their original times, before this run restores from Redis (so it restores what they wrote).
   * Bounded: if Redis fails again meanwhile they keep waiting (journaled) and start goes on.
   */
  async replay(records: readonly JournalRecord[], waitMs = 10_000): Promise<void> {
    if (records.length === 0) return;
    for (const r of records) {
      const w = this.#revive(r);
      if (w) void this.#outbox.enqueue(w, { journal: true }).catch((err: unknown) => this.#opts.log.error({ err, kind: r.kind }, 'replayed health write failed'));
      else this.#opts.log.error({ kind: r.kind }, 'journaled health write of an unknown kind: dropped');
    }
    await within(this.#outbox.idle(), waitMs, undefined);
  }

  #revive(r: JournalRecord): OutboxWrite | undefined {
    const d = r.data as { events?: Array<[string, string]>; snapshot?: string; pairs?: Array<[string, string | null]>; whole?: boolean };
    if (r.kind === 'health events' && Array.isArray(d.events)) return this.#eventsWrite(d.events);
    if (r.kind === 'health snapshot' && typeof d.snapshot === 'string') return this.#snapshotWrite(d.snapshot);
    if ((r.kind === 'active alerts' || r.kind === 'active alert changes') && Array.isArray(d.pairs)) return this.#alertsWrite(d.pairs.map(([fp, json]) => [fp, json ?? undefined] as const), d.whole === true);
    return undefined;
  }

  #eventsWrite(events: ReadonlyArray<readonly [string, string]>): OutboxWrite {
    const maxLen = String(this.#opts.maxEvents ?? 100_000);
    return {
      kind: 'health events',
      record: { events },
      // Pipelined in order; a retry after a partial write skips what is already there.
      write: () => Promise.all(events.map(([id, json]) => this.#redis.wardenHealthAppendEvent(this.streamKey, id, json, maxLen))).then(() => undefined),
    };
  }

  #snapshotWrite(snapshot: string): OutboxWrite {
    return { kind: 'health snapshot', coalesceKey: 'current', record: { snapshot }, write: () => this.#redis.set(this.currentKey, snapshot).then(() => undefined) };
  }

  /** `whole`: the whole active set (replaces what a previous run left); else changes (undefined deletes). */
  #alertsWrite(pairs: AlertPairs, whole: boolean): OutboxWrite {
    const key = this.alertsKey;
    // JSON has no undefined: a deletion is journaled as null.
    const record = { pairs: pairs.map(([fp, json]) => [fp, json ?? null]), whole };
    if (whole) return { kind: 'active alerts', record, write: () => execAll(this.#redis.multi().del(key, this.#legacyAlertsKey), key, pairs) };
    return { kind: 'active alert changes', record, write: () => execAll(this.#redis.multi(), key, pairs) };
  }

  /** Writes waiting for Redis. */
  get pendingWrites(): number {
    return this.#outbox.depth;
  }

  /** Redis answers again: make the queued writes now. */
  retryNow(): void {
    this.#outbox.wake();
  }

  /** Resolves once no write waits for Redis. */
  idle(): Promise<void> {
    return this.#outbox.idle();
  }

  /** Shutdown: queued writes get `waitMs` to reach Redis; what is left is logged and lost. */
  async close(waitMs = 3_000): Promise<void> {
    await within(this.#outbox.idle(), waitMs, undefined);
    this.#outbox.close();
  }

  get streamKey(): string {
    return `${this.#opts.prefix}:health:events`;
  }

  get currentKey(): string {
    return `${this.#opts.prefix}:health:current`;
  }

  /** A hash of the active alerts, fingerprint -> alert JSON. */
  get alertsKey(): string {
    return `${this.#opts.prefix}:alerts:active:byfp`;
  }

  /** Where versions before the hash kept the whole list as one JSON string (read once, then removed). */
  get #legacyAlertsKey(): string {
    return `${this.#opts.prefix}:alerts:active`;
  }

  /**
   * Active alerts, so a restarted Warden resumes them with their original firedAt (see
   * RuleEngine.restore). A hash, fingerprint -> alert, written per transition (issue 9: a storm's
   * cost is its changes, not a rewrite of every active alert per batch); the first save after a
   * start writes the whole set, which also drops what a previous run left behind.
   */
  saveAlerts(alerts: readonly Alert[], changed: readonly AlertTransition[]): Promise<void> {
    let write: Promise<void>;
    if (!this.#alertsWhole) {
      this.#alertsWhole = true;
      write = this.#outbox.enqueue(this.#alertsWrite(alerts.map((a) => [a.fingerprint, JSON.stringify(a)] as const), true));
    } else {
      // Serialised now, in transition order; the last change of a fingerprint wins.
      const byFingerprint = new Map<string, string | undefined>();
      for (const t of changed) byFingerprint.set(t.alert.fingerprint, t.to === 'inactive' ? undefined : JSON.stringify(t.alert));
      write = this.#outbox.enqueue(this.#alertsWrite([...byFingerprint], false));
    }
    write.catch((err: unknown) => this.#opts.log.error({ err }, 'failed to persist active alerts'));
    return write;
  }

  async restoreAlerts(): Promise<Alert[]> {
    const [fields, legacy] = await Promise.all([this.#opts.redis.hvals(this.alertsKey), this.#opts.redis.get(this.#legacyAlertsKey)]);
    if (fields.length === 0 && legacy) return JSON.parse(legacy) as Alert[];
    return fields.map((text) => JSON.parse(text) as Alert);
  }

  get current(): HealthSnapshot | undefined {
    return this.#current;
  }

  /** Loads the snapshot persisted by a previous run, so its first update reports only real changes. */
  async restore(): Promise<HealthSnapshot | undefined> {
    const text = await this.#opts.redis.get(this.currentKey);
    if (text) this.#current = JSON.parse(text) as HealthSnapshot;
    return this.#current;
  }

  update(next: HealthSnapshot): HealthUpdate {
    const transitions = diff(this.#current, next);
    this.#current = next;
    // Nothing new to write, but an earlier write may still wait for Redis: not durable until it is made.
    if (transitions.length === 0) return { transitions, persisted: this.#outbox.depth === 0 ? NO_WRITE : this.#outbox.idle() };
    // Serialised now: the event keeps the time it happened however late Redis takes it.
    const events = transitions.map((t) => [randomUUID(), JSON.stringify(t)] as const);
    const persisted = Promise.all([this.#outbox.enqueue(this.#eventsWrite(events)), this.#outbox.enqueue(this.#snapshotWrite(JSON.stringify(next)))]).then(() => undefined);
    // The caller awaits `persisted` where an acknowledgement depends on it; log here so a failed
    // write is never silent even when nobody awaits.
    persisted.catch((err: unknown) => this.#opts.log.error({ err }, 'failed to persist health transition'));
    return { transitions, persisted };
  }

  /** Transition events from the stream, oldest first. */
  async history(opts: { sinceId?: string; limit?: number } = {}): Promise<Array<{ id: string } & HealthTransition>> {
    const start = opts.sinceId ? `(${opts.sinceId}` : '-';
    const rows = await this.#opts.redis.xrange(this.streamKey, start, '+', 'COUNT', opts.limit ?? 100);
    return rows.map(([id, fields]) => ({ id, ...(JSON.parse(fields[1] as string) as HealthTransition) }));
  }
}

/** HSET (or HDEL for undefined) of each pair on `multi`, in chunks, in one MULTI (fields are unique, so order does not matter). */
async function execAll(multi: ReturnType<Redis['multi']>, key: string, pairs: AlertPairs): Promise<void> {
  const CHUNK = 1000;
  const set: string[] = [];
  const del: string[] = [];
  for (const [fp, json] of pairs) {
    if (json === undefined) del.push(fp);
    else set.push(fp, json);
  }
  for (let i = 0; i < set.length; i += 2 * CHUNK) multi.hset(key, ...set.slice(i, i + 2 * CHUNK));
  for (let i = 0; i < del.length; i += CHUNK) multi.hdel(key, ...del.slice(i, i + CHUNK));
  const results = await multi.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0] as Error;
}

function diff(prev: HealthSnapshot | undefined, next: HealthSnapshot): HealthTransition[] {
  const out: HealthTransition[] = [];
  const before = new Map<string, HealthStatus>(prev?.components.map((c) => [c.name, c.status]) ?? []);
  for (const c of next.components) {
    const from = before.get(c.name) ?? 'green';
    if (from !== c.status) {
      out.push({ component: c.name, from, to: c.status, reasons: c.reasons, atMs: next.evaluatedAtMs });
    }
  }
  const overallFrom = prev?.status ?? 'green';
  if (overallFrom !== next.status) {
    out.push({ component: null, from: overallFrom, to: next.status, reasons: next.reasons, atMs: next.evaluatedAtMs });
  }
  return out;
}
