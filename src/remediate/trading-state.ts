import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { AuditLog } from '../audit/audit-log';
import { PermanentError } from '../errors';
import { TIMEOUTS_MS, attemptDeadline } from './attempt-deadline';
import { errorForStatus, postJson } from './http-outcome';

export type TradingStateName = 'running' | 'halted';

/** What GET /v1/trading returns. */
export interface TradingStatus {
  state: TradingStateName;
  since: string | null;
  reason: string | null;
  incident: string | null;
}

/** resume() on an exchange Warden does not know as halted; the route answers 409. */
export class NotHaltedError extends Error {
  constructor() {
    super('trading is not halted');
    this.name = 'NotHaltedError';
  }
}

export interface TradingStateOptions {
  redis: Redis;
  prefix: string;
  audit: AuditLog;
  /** exchange.admin_url; resume() needs it. */
  adminUrl?: string;
  clock?: () => number;
  /** spec §10.3 internal RPC: 3 s. */
  timeoutMs?: number;
}

/** spec §9.1: idempotency keys are kept 24 h. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Halt only if running (the first halt's since/reason/incident stand); always remember the key. */
const MARK_HALTED_LUA = `
redis.call('SET', KEYS[2], '1', 'EX', ARGV[4])
if redis.call('HGET', KEYS[1], 'state') == 'halted' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'halted', 'since', ARGV[1], 'reason', ARGV[2], 'incident', ARGV[3])
return 1`;

/** Resume only the halt we looked at: a new halt in the meantime must not be cleared. */
const MARK_RUNNING_LUA = `
if redis.call('HGET', KEYS[1], 'since') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'running', 'since', ARGV[2], 'reason', ARGV[3], 'incident', '')
return 1`;

/**
 * The exchange's trading state as Warden knows it (spec §8.2: invariant violation -> halt trading).
 * Halting is automatic (halt_trading executor); resuming is only ever an operator's decision.
 */
export class TradingState {
  readonly #opts: TradingStateOptions;
  readonly #key: string;
  readonly #clock: () => number;
  /** The last state read from Redis: what health reads synchronously (see `halted`). */
  #last: TradingStatus | undefined;

  constructor(opts: TradingStateOptions) {
    this.#opts = opts;
    this.#key = `${opts.prefix}:trading:state`;
    this.#clock = opts.clock ?? Date.now;
  }

  async get(): Promise<TradingStatus> {
    const h = await this.#opts.redis.hgetall(this.#key);
    this.#last = {
      state: h.state === 'halted' ? 'halted' : 'running',
      since: h.since || null,
      reason: h.reason || null,
      incident: h.incident || null,
    };
    return this.#last;
  }

  /**
   * The halt as last read from Redis, for the health rollup (spec §8.2: Red while halted). The state
   * lives in Redis, so it survives a restart and a halt recorded by another replica shows here too
   * once `refreshEvery` has read it.
   */
  get halted(): TradingStatus | undefined {
    return this.#last?.state === 'halted' ? this.#last : undefined;
  }

  /** Re-reads the state every `intervalMs` (another replica may halt or resume); returns the stopper. */
  refreshEvery(intervalMs: number, onError: (err: unknown) => void): () => void {
    const timer = setInterval(() => void this.get().catch(onError), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Whether a halt with this idempotency key was already carried out (within 24 h). */
  async haltRecorded(idempotencyKey: string): Promise<boolean> {
    return (await this.#opts.redis.exists(this.#haltKey(idempotencyKey))) === 1;
  }

  async markHalted(h: { actor: string; reason: string; incident?: string; idempotencyKey: string; details?: Record<string, unknown> }): Promise<TradingStatus> {
    const since = new Date(this.#clock()).toISOString();
    const changed = await this.#opts.redis.eval(MARK_HALTED_LUA, 2, this.#key, this.#haltKey(h.idempotencyKey), since, h.reason, h.incident ?? '', IDEMPOTENCY_TTL_SECONDS);
    await this.#opts.audit.append({
      actor: h.actor,
      action: changed === 1 ? 'trading.halted' : 'trading.halt_repeated',
      target: 'exchange',
      details: { reason: h.reason, incident: h.incident, idempotencyKey: h.idempotencyKey, ...h.details },
    });
    return this.get();
  }

  /** Operator resume: tells the exchange first, then records "running". Audited. */
  async resume(r: { actor: string; reason: string }): Promise<TradingStatus> {
    const cur = await this.get();
    if (cur.state !== 'halted') throw new NotHaltedError();
    if (!this.#opts.adminUrl) throw new PermanentError('exchange.admin_url is not configured; cannot resume trading');
    // One key per halt episode: a double-clicked resume reaches the exchange once (spec §9.1).
    const idempotencyKey = `resume-${createHash('sha256').update(`${cur.since}|${cur.incident ?? ''}`).digest('hex').slice(0, 32)}`;
    const url = `${this.#opts.adminUrl.replace(/\/+$/, '')}/trading/resume`;
    const deadline = attemptDeadline(new AbortController().signal, this.#opts.timeoutMs ?? TIMEOUTS_MS.internalRpc);
    const res = await postJson(url, { reason: r.reason, actor: r.actor }, { 'idempotency-key': idempotencyKey }, deadline, `POST ${url}`);
    // 409: the exchange is already running; our record is what is behind.
    if ((res.status < 200 || res.status >= 300) && res.status !== 409) throw errorForStatus(`POST ${url}`, res.status, res.body);
    const now = new Date(this.#clock()).toISOString();
    await this.#opts.redis.eval(MARK_RUNNING_LUA, 1, this.#key, cur.since ?? '', now, r.reason);
    await this.#opts.audit.append({
      actor: r.actor,
      action: 'trading.resumed',
      target: 'exchange',
      details: { reason: r.reason, haltedSince: cur.since, haltReason: cur.reason, incident: cur.incident, idempotencyKey, exchangeStatus: res.status },
    });
    return this.get();
  }

  #haltKey(idempotencyKey: string): string {
    return `${this.#opts.prefix}:trading:halt-key:${idempotencyKey}`;
  }
}
