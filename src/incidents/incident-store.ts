import type Redis from 'ioredis';
import type { Channel } from '../notify/notifier';
import type { Incident, IncidentStatus, Severity, TimelineEntry } from './incident';

/**
 * Incidents in Redis, so they survive a restart (spec §4.1: read last committed state). The
 * incident document is written only by the IncidentService (one writer); the delivery worker
 * touches only the append-only timeline and the thread refs, so no write is lost to a race.
 */
export class IncidentStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  // All key names in one place (BullMQ's queue-keys habit).
  #doc = (id: string) => `${this.#prefix}:incident:${id}`;
  #timeline = (id: string) => `${this.#prefix}:incident:${id}:timeline`;
  #threads = (id: string) => `${this.#prefix}:incident:${id}:threads`;
  get #byStart() { return `${this.#prefix}:incidents`; }
  get #open() { return `${this.#prefix}:incidents:open`; }
  #escalationKey = (key: string) => `${this.#prefix}:escalation-key:${key}`;

  async save(inc: Incident): Promise<void> {
    const multi = this.#redis.multi().set(this.#doc(inc.id), JSON.stringify(inc)).zadd(this.#byStart, inc.startedAtMs, inc.id);
    if (inc.status === 'resolved') multi.hdel(this.#open, inc.groupKey);
    else multi.hset(this.#open, inc.groupKey, inc.id);
    await execOrThrow(multi);
  }

  async get(id: string): Promise<Incident | undefined> {
    const text = await this.#redis.get(this.#doc(id));
    return text ? (JSON.parse(text) as Incident) : undefined;
  }

  /** Every incident not yet resolved (what a restarted service resumes). */
  async loadOpen(): Promise<Incident[]> {
    const ids = Object.values(await this.#redis.hgetall(this.#open));
    return this.#many(ids);
  }

  async list(filter: { status?: IncidentStatus; severity?: Severity; limit: number }): Promise<Incident[]> {
    const out: Incident[] = [];
    // Newest first, a page of ids at a time, until enough match the filter.
    for (let start = 0; out.length < filter.limit; start += 500) {
      const ids = await this.#redis.zrevrange(this.#byStart, start, start + 499);
      if (ids.length === 0) break;
      for (const inc of await this.#many(ids)) {
        if (filter.status && inc.status !== filter.status) continue;
        if (filter.severity && inc.severity !== filter.severity) continue;
        out.push(inc);
      }
    }
    return out.slice(0, filter.limit);
  }

  async #many(ids: string[]): Promise<Incident[]> {
    if (ids.length === 0) return [];
    const texts = await this.#redis.mget(ids.map(this.#doc));
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as Incident);
  }

  async appendTimeline(id: string, entry: TimelineEntry): Promise<void> {
    await this.#redis.rpush(this.#timeline(id), JSON.stringify(entry));
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    return (await this.#redis.lrange(this.#timeline(id), 0, -1)).map((t) => JSON.parse(t) as TimelineEntry);
  }

  /** Receiver/channel pairs that have a thread for this incident (they get its later transitions). */
  async threads(id: string): Promise<Array<{ receiver: string; channel: Channel }>> {
    return (await this.#redis.hkeys(this.#threads(id))).map((k) => {
      const i = k.lastIndexOf('/');
      return { receiver: k.slice(0, i), channel: k.slice(i + 1) as Channel };
    });
  }

  /** Queues the thread-ref write on a MULTI (the worker commits it with the sent record). */
  threadRefCommand(multi: ReturnType<Redis['multi']>, id: string, receiver: string, channel: Channel, ref: string): void {
    // The first message of a channel is the thread root (a fallback page, or the trigger).
    multi.hsetnx(this.#threads(id), `${receiver}/${channel}`, ref);
  }

  timelineCommand(multi: ReturnType<Redis['multi']>, id: string, entry: TimelineEntry): void {
    multi.rpush(this.#timeline(id), JSON.stringify(entry));
  }

  async threadRef(id: string, receiver: string, channel: Channel): Promise<string | undefined> {
    return (await this.#redis.hget(this.#threads(id), `${receiver}/${channel}`)) ?? undefined;
  }

  /** The incident opened for a remediation escalation key, if any (spec §9.1: keys kept 24 h). */
  async incidentForEscalationKey(key: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#escalationKey(key))) ?? undefined;
  }

  async rememberEscalationKey(key: string, incidentId: string): Promise<void> {
    await this.#redis.set(this.#escalationKey(key), incidentId, 'EX', 86_400);
  }
}

export async function execOrThrow(multi: ReturnType<Redis['multi']>): Promise<void> {
  const results = await multi.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0] as Error;
}
