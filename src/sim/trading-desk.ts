import { RequestError } from '../errors';

/** spec §3.2: an idempotency key is remembered for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type TradingState = 'running' | 'halted';

export interface TradingSnapshot {
  readonly state: TradingState;
  readonly since: string;
  readonly reason: string | null;
  /** Whatever the caller sent as `incident` (an id or an object), kept as given. */
  readonly incident: unknown;
  /** How many times trading really changed state; repeats with a known key do not count. */
  readonly halts: number;
  readonly resumes: number;
}

export interface TradingResponse {
  readonly status: number;
  readonly body: TradingSnapshot & { changed: boolean; idempotencyKey: string; replayed?: boolean };
}

interface StoredResponse {
  readonly action: 'halt' | 'resume';
  readonly requestFingerprint: string;
  readonly response: TradingResponse;
  readonly expiresAtMs: number;
}

/**
 * The exchange's trading switch behind `POST /trading/halt|resume` (issue 4 §3 halt_trading): the
 * same Idempotency-Key always gets the first response back and never a second effect, for 24 h.
 */
export class TradingDesk {
  readonly #clock: () => number;
  readonly #keys = new Map<string, StoredResponse>();
  #state: TradingState = 'running';
  #sinceMs: number;
  #reason: string | null = null;
  #incident: unknown = null;
  #halts = 0;
  #resumes = 0;

  constructor(clock: () => number) {
    this.#clock = clock;
    this.#sinceMs = clock();
  }

  snapshot(): TradingSnapshot {
    return {
      state: this.#state,
      since: new Date(this.#sinceMs).toISOString(),
      reason: this.#reason,
      incident: this.#incident,
      halts: this.#halts,
      resumes: this.#resumes,
    };
  }

  request(action: 'halt' | 'resume', idempotencyKey: string | undefined, body: unknown): TradingResponse {
    if (!idempotencyKey || idempotencyKey.length > 255) {
      throw new RequestError(400, 'idempotency_key_required', 'Idempotency-Key header (1-255 characters) is required', { field: 'Idempotency-Key' });
    }
    const { reason, incident } = parseBody(body);
    this.#expireKeys();
    const fingerprint = JSON.stringify([action, reason, incident]);
    const stored = this.#keys.get(idempotencyKey);
    if (stored) {
      if (stored.requestFingerprint !== fingerprint) {
        // Like Stripe: a key reused for a different request is a client bug, not a retry.
        throw new RequestError(422, 'idempotency_key_reused', `Idempotency-Key "${idempotencyKey}" was used for a different request`, { field: 'Idempotency-Key' });
      }
      return { status: stored.response.status, body: { ...stored.response.body, replayed: true } };
    }
    const changed = this.#apply(action, reason, incident);
    const response: TradingResponse = { status: 200, body: { ...this.snapshot(), changed, idempotencyKey } };
    this.#keys.set(idempotencyKey, { action, requestFingerprint: fingerprint, response, expiresAtMs: this.#clock() + IDEMPOTENCY_TTL_MS });
    return response;
  }

  #apply(action: 'halt' | 'resume', reason: string, incident: unknown): boolean {
    const target: TradingState = action === 'halt' ? 'halted' : 'running';
    // Halting a halted exchange is success with no change: the caller's goal already holds.
    if (this.#state === target) return false;
    this.#state = target;
    this.#sinceMs = this.#clock();
    this.#reason = reason;
    this.#incident = incident;
    if (action === 'halt') this.#halts += 1;
    else this.#resumes += 1;
    return true;
  }

  #expireKeys(): void {
    const now = this.#clock();
    for (const [key, stored] of this.#keys) if (stored.expiresAtMs <= now) this.#keys.delete(key);
  }
}

function parseBody(body: unknown): { reason: string; incident: unknown } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) throw new RequestError(400, 'invalid_body', 'body must be a JSON object');
  if (typeof b.reason !== 'string' || b.reason.trim() === '') {
    throw new RequestError(400, 'invalid_body', 'reason must be a non-empty string', { field: 'reason' });
  }
  return { reason: b.reason, incident: b.incident ?? null };
}
