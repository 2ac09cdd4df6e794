import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { z } from 'zod';
import { RequestError } from '../errors';
import { compileMatcher, matcherObjectSchema, matchesAll, type CompiledMatcher, type Matcher } from '../signals/label-matchers';

/** A silence in Alertmanager's API v2 shape. Times are ISO 8601 strings on the wire. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly updatedAt: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export const silenceBodySchema = z.strictObject({
  id: z.string().min(1).optional(),
  matchers: z.array(matcherObjectSchema).min(1, 'a silence needs at least one matcher'),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().min(1).optional(),
  comment: z.string().min(1, 'say why (comment)'),
});
export type SilenceBody = z.output<typeof silenceBodySchema>;

export function silenceState(s: Silence, nowMs: number): SilenceState {
  if (Date.parse(s.endsAt) <= nowMs) return 'expired';
  return Date.parse(s.startsAt) > nowMs ? 'pending' : 'active';
}

/**
 * Silences in Redis, with an in-memory copy the dispatcher asks on every flush. Other Warden
 * replicas may write them too: refresh() (every incident tick) picks up their newer versions. Expired silences are kept, as Alertmanager keeps them, for the record.
 */
export class SilenceStore {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #clock: () => number;
  readonly #silences = new Map<string, { silence: Silence; matchers: readonly CompiledMatcher[] }>();

  constructor(redis: Redis, prefix: string, clock: () => number) {
    this.#redis = redis;
    this.#key = `${prefix}:silences`;
    this.#clock = clock;
  }

  async load(): Promise<void> {
    this.#silences.clear();
    for (const text of Object.values(await this.#redis.hgetall(this.#key))) this.#remember(JSON.parse(text) as Silence);
  }

  /** Takes in silences another replica created or changed since (newer `updatedAt` wins). */
  async refresh(): Promise<void> {
    for (const text of Object.values(await this.#redis.hgetall(this.#key))) {
      const loaded = JSON.parse(text) as Silence;
      const mine = this.#silences.get(loaded.id)?.silence;
      if (!mine || Date.parse(loaded.updatedAt) > Date.parse(mine.updatedAt)) this.#remember(loaded);
    }
  }

  list(): Array<Silence & { status: { state: SilenceState } }> {
    const now = this.#clock();
    return [...this.#silences.values()].map(({ silence }) => ({ ...silence, status: { state: silenceState(silence, now) } }));
  }

  get(id: string): Silence | undefined {
    return this.#silences.get(id)?.silence;
  }

  activeCount(): number {
    const now = this.#clock();
    return [...this.#silences.values()].filter((s) => silenceState(s.silence, now) === 'active').length;
  }

  /** Creates a silence, or updates one that has not expired (body.id). Throws RequestError; changes nothing then. */
  async upsert(body: SilenceBody, actor: string): Promise<Silence> {
    const now = this.#clock();
    const startsMs = Date.parse(body.startsAt);
    const endsMs = Date.parse(body.endsAt);
    if (endsMs <= startsMs) throw new RequestError(400, 'invalid_silence', 'endsAt must be after startsAt', { field: 'endsAt' });
    if (endsMs <= now) throw new RequestError(400, 'invalid_silence', 'endsAt is in the past', { field: 'endsAt' });
    if (body.matchers.every((m) => compileMatcher(m).test({}))) {
      // Alertmanager's guard: a silence whose matchers all match the empty label set silences everything.
      throw new RequestError(400, 'invalid_silence', 'at least one matcher must not match the empty string', { field: 'matchers' });
    }
    if (body.id !== undefined) {
      const old = this.get(body.id);
      if (!old) throw new RequestError(404, 'not_found', `no silence "${body.id}"`, { field: 'id' });
      if (silenceState(old, now) === 'expired') throw new RequestError(400, 'invalid_silence', 'an expired silence cannot be changed; create a new one', { field: 'id' });
    }
    const silence: Silence = {
      id: body.id ?? randomUUID(),
      matchers: body.matchers,
      // A new silence starting in the past starts now (Alertmanager does the same).
      startsAt: new Date(body.id ? startsMs : Math.max(startsMs, now)).toISOString(),
      endsAt: new Date(endsMs).toISOString(),
      createdBy: body.createdBy ?? actor,
      comment: body.comment,
      updatedAt: new Date(now).toISOString(),
    };
    await this.#redis.hset(this.#key, silence.id, JSON.stringify(silence));
    this.#remember(silence);
    return silence;
  }

  /** Expires a silence now (Alertmanager's DELETE). Expiring an expired silence is a 400, as there. */
  async expire(id: string): Promise<Silence> {
    const now = this.#clock();
    const old = this.get(id);
    if (!old) throw new RequestError(404, 'not_found', `no silence "${id}"`);
    if (silenceState(old, now) === 'expired') throw new RequestError(400, 'already_expired', `silence "${id}" has already expired`);
    const startsAt = Date.parse(old.startsAt) > now ? new Date(now).toISOString() : old.startsAt;
    const silence: Silence = { ...old, startsAt, endsAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString() };
    await this.#redis.hset(this.#key, id, JSON.stringify(silence));
    this.#remember(silence);
    return silence;
  }

  /** The active silence muting these labels, if any. */
  mutedBy(labels: Readonly<Record<string, string>>): Silence | undefined {
    const now = this.#clock();
    for (const { silence, matchers } of this.#silences.values()) {
      if (silenceState(silence, now) === 'active' && matchesAll(matchers, labels)) return silence;
    }
    return undefined;
  }

  /** Ids of every active silence muting these labels (Alertmanager's `silencedBy`). */
  silencedBy(labels: Readonly<Record<string, string>>): string[] {
    const now = this.#clock();
    const ids: string[] = [];
    for (const { silence, matchers } of this.#silences.values()) {
      if (silenceState(silence, now) === 'active' && matchesAll(matchers, labels)) ids.push(silence.id);
    }
    return ids;
  }

  #remember(s: Silence): void {
    this.#silences.set(s.id, { silence: s, matchers: s.matchers.map(compileMatcher) });
  }
}
