/**
 * Which database primary the simulated exchange writes to (issue 14 §3): what
 * `POST /database/primary` on the exchange admin changes. A repeated Idempotency-Key gets the first
 * answer again (spec §9.1); a failover epoch lower than the one already followed is refused with
 * 409 (spec §5: the resource rejects a stale fencing generation, Kleppmann).
 */
export interface RoutingState {
  cluster: string | null;
  primary: string | null;
  epoch: number;
  since: string | null;
  changes: number;
}

export interface RoutingReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const MAX_KEYS = 1000;

export class DatabaseRouting {
  readonly #clock: () => number;
  readonly #state: RoutingState = { cluster: null, primary: null, epoch: 0, since: null, changes: 0 };
  readonly #replies = new Map<string, RoutingReply>();

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  snapshot(): RoutingState {
    return { ...this.#state };
  }

  request(idempotencyKey: string | undefined, body: unknown): RoutingReply {
    if (!idempotencyKey) return { status: 400, body: { error: { code: 'missing_idempotency_key', message: 'Idempotency-Key header is required' } } };
    const cached = this.#replies.get(idempotencyKey);
    if (cached) return { status: cached.status, body: { ...cached.body, repeated: true } };
    const b = (body ?? {}) as { cluster?: unknown; primary?: { name?: unknown }; epoch?: unknown };
    const name = b.primary?.name;
    if (typeof b.cluster !== 'string' || typeof name !== 'string' || typeof b.epoch !== 'number' || !Number.isInteger(b.epoch)) {
      return { status: 400, body: { error: { code: 'invalid_body', message: 'needs cluster, primary.name and an integer epoch' } } };
    }
    let reply: RoutingReply;
    if (b.epoch <= this.#state.epoch) {
      reply = { status: 409, body: { error: { code: 'stale_epoch', message: `already following epoch ${this.#state.epoch} (${this.#state.primary})` } } };
    } else {
      Object.assign(this.#state, { cluster: b.cluster, primary: name, epoch: b.epoch, since: new Date(this.#clock()).toISOString(), changes: this.#state.changes + 1 });
      reply = { status: 200, body: { changed: true, ...this.#state } };
    }
    if (this.#replies.size >= MAX_KEYS) this.#replies.delete(this.#replies.keys().next().value as string);
    this.#replies.set(idempotencyKey, reply);
    return reply;
  }
}
