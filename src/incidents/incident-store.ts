import type Redis from 'ioredis';
import { countAlerts, type Incident, type IncidentAlert, type IncidentStatus, type Severity, type TimelineEntry } from './incident';

/** SADD (and RPUSH) arguments per command (keeps each command small). */
const SADD_CHUNK = 1000;

/** An incident document as stored: no alerts and no notified fingerprints (their own keys). */
type StoredIncident = Omit<Incident, 'alerts'> & { alerts?: Record<string, IncidentAlert> };

/**
 * Incidents in Redis, so they survive a restart (spec §4.1: read last committed state). The
 * incident document is written only by the IncidentService (one writer); the delivery worker
 * touches only the append-only timeline and the thread refs, so no write is lost to a race.
 *
 * Stored incrementally (issue 9: a storm must be linear): the document holds the incident without
 * its alerts, one hash holds the alerts (fingerprint -> alert, one field written per change), and
 * one set holds the fingerprints of the last notification (rewritten only when a flush changed it).
 */
export class IncidentStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  /** Per incident, the notifiedAlerts array last written (the dispatcher replaces it, never mutates it). */
  readonly #savedNotified = new Map<string, readonly string[]>();
  /** Incidents read from a document that still held its alerts: the next save writes them all. */
  readonly #legacy = new Set<string>();

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  // All key names in one place (BullMQ's queue-keys habit).
  #doc = (id: string) => `${this.#prefix}:incident:${id}`;
  #alerts = (id: string) => `${this.#prefix}:incident:${id}:alerts`;
  #notified = (id: string) => `${this.#prefix}:incident:${id}:notified`;
  #timeline = (id: string) => `${this.#prefix}:incident:${id}:timeline`;
  #threads = (id: string) => `${this.#prefix}:incident:${id}:threads`;
  get #byStart() { return `${this.#prefix}:incidents`; }
  get #open() { return `${this.#prefix}:incidents:open`; }
  #escalationKey = (key: string) => `${this.#prefix}:escalation-key:${key}`;

  /**
   * Writes the document and the alerts named in `changedAlerts` (those added or resolved since the
   * last save), and `timeline` entries, in one MULTI. Cost is the size of the change, not of the incident.
   */
  async save(inc: Incident, changedAlerts: Iterable<string> = [], timeline: readonly TimelineEntry[] = []): Promise<void> {
    const { alerts, ...rest } = inc;
    const { notifiedAlerts, ...dispatch } = inc.dispatch;
    const multi = this.#redis.multi().set(this.#doc(inc.id), JSON.stringify({ ...rest, dispatch })).zadd(this.#byStart, inc.startedAtMs, inc.id);
    for (let i = 0; i < timeline.length; i += SADD_CHUNK) multi.rpush(this.#timeline(inc.id), ...timeline.slice(i, i + SADD_CHUNK).map((e) => JSON.stringify(e)));
    const fingerprints = this.#legacy.has(inc.id) ? Object.keys(alerts) : changedAlerts;
    for (const fp of fingerprints) {
      const a = alerts[fp];
      if (a) multi.hset(this.#alerts(inc.id), fp, JSON.stringify(a));
    }
    const notifiedChanged = this.#savedNotified.get(inc.id) !== notifiedAlerts;
    if (notifiedChanged) {
      multi.del(this.#notified(inc.id));
      for (let i = 0; i < notifiedAlerts.length; i += SADD_CHUNK) multi.sadd(this.#notified(inc.id), ...notifiedAlerts.slice(i, i + SADD_CHUNK));
    }
    if (inc.status === 'resolved') multi.hdel(this.#open, inc.groupKey);
    else multi.hset(this.#open, inc.groupKey, inc.id);
    await execOrThrow(multi);
    this.#legacy.delete(inc.id);
    if (inc.status === 'resolved') this.#savedNotified.delete(inc.id);
    else this.#savedNotified.set(inc.id, notifiedAlerts);
  }

  /** The whole incident, every alert included. */
  async get(id: string): Promise<Incident | undefined> {
    const [text, alerts, notified] = await Promise.all([this.#redis.get(this.#doc(id)), this.#redis.hgetall(this.#alerts(id)), this.#redis.smembers(this.#notified(id))]);
    if (!text) return undefined;
    return this.#assemble(JSON.parse(text) as StoredIncident, parseAlerts(alerts), notified);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.#redis.exists(this.#doc(id))) === 1;
  }

  /** Status alone: the delivery worker's check, without reading a storm's alerts. */
  async statusOf(id: string): Promise<IncidentStatus | undefined> {
    const text = await this.#redis.get(this.#doc(id));
    return text ? (JSON.parse(text) as StoredIncident).status : undefined;
  }

  /** Every incident not yet resolved (what a restarted service resumes), whole. */
  async loadOpen(): Promise<Incident[]> {
    const out: Incident[] = [];
    for (const id of Object.values(await this.#redis.hgetall(this.#open))) {
      const inc = await this.get(id);
      if (!inc) continue;
      this.#savedNotified.set(inc.id, inc.dispatch.notifiedAlerts);
      out.push(inc);
    }
    return out;
  }

  /**
   * Newest first. Each carries at most `alertLimit` of its alerts (all when it has no more; else a
   * sample) and its counts: the caller lists open incidents from memory, where all alerts are.
   */
  async list(filter: { status?: IncidentStatus; severity?: Severity; limit: number; alertLimit: number }): Promise<Incident[]> {
    const out: Incident[] = [];
    // Newest first, a page of ids at a time, until enough match the filter.
    for (let start = 0; out.length < filter.limit; start += 500) {
      const ids = await this.#redis.zrevrange(this.#byStart, start, start + 499);
      if (ids.length === 0) break;
      const texts = await this.#redis.mget(ids.map(this.#doc));
      for (const text of texts) {
        if (text === null || out.length >= filter.limit) continue;
        const doc = JSON.parse(text) as StoredIncident;
        if (filter.status && doc.status !== filter.status) continue;
        if (filter.severity && doc.severity !== filter.severity) continue;
        out.push(await this.#sampled(doc, filter.alertLimit));
      }
    }
    return out;
  }

  async #sampled(doc: StoredIncident, alertLimit: number): Promise<Incident> {
    if (doc.alerts || (doc.alertCounts && doc.alertCounts.total <= alertLimit)) return this.#assemble(doc, parseAlerts(await this.#redis.hgetall(this.#alerts(doc.id))), []);
    const flat = (await this.#redis.call('HRANDFIELD', this.#alerts(doc.id), String(alertLimit), 'WITHVALUES')) as string[];
    const sample: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) sample[flat[i] as string] = flat[i + 1] as string;
    return this.#assemble(doc, parseAlerts(sample), []);
  }

  #assemble(doc: StoredIncident, alerts: Record<string, IncidentAlert>, notified: string[]): Incident {
    const legacy = doc.alerts !== undefined;
    if (legacy) this.#legacy.add(doc.id);
    const all = legacy ? { ...doc.alerts, ...alerts } : alerts;
    const dispatch = { ...doc.dispatch, notifiedAlerts: doc.dispatch.notifiedAlerts ?? notified };
    return { ...doc, alerts: all, alertCounts: doc.alertCounts ?? countAlerts(Object.values(all)), dispatch };
  }

  async appendTimeline(id: string, entry: TimelineEntry): Promise<void> {
    await this.#redis.rpush(this.#timeline(id), JSON.stringify(entry));
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    return (await this.#redis.lrange(this.#timeline(id), 0, -1)).map((t) => JSON.parse(t) as TimelineEntry);
  }

  /**
   * Recipient ids ("receiver/integration", see recipientId) that have a thread for this incident
   * (they get its later transitions). `integration` is the channel, plus the config's index after
   * the first ("slack1").
   */
  async threads(id: string): Promise<string[]> {
    return this.#redis.hkeys(this.#threads(id));
  }

  /** Queues the thread-ref write on a MULTI (the worker commits it with the sent record). */
  threadRefCommand(multi: ReturnType<Redis['multi']>, id: string, receiver: string, integration: string, ref: string): void {
    // The first message of a channel is the thread root (a fallback page, or the trigger).
    multi.hsetnx(this.#threads(id), `${receiver}/${integration}`, ref);
  }

  timelineCommand(multi: ReturnType<Redis['multi']>, id: string, entry: TimelineEntry): void {
    multi.rpush(this.#timeline(id), JSON.stringify(entry));
  }

  async threadRef(id: string, receiver: string, integration: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#threads(id), `${receiver}/${integration}`)) ?? undefined;
  }

  /** The incident opened for a remediation escalation key, if any (spec §9.1: keys kept 24 h). */
  async incidentForEscalationKey(key: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#escalationKey(key))) ?? undefined;
  }

  async rememberEscalationKey(key: string, incidentId: string): Promise<void> {
    await this.#redis.set(this.#escalationKey(key), incidentId, 'EX', 86_400);
  }
}

function parseAlerts(fields: Record<string, string>): Record<string, IncidentAlert> {
  const out: Record<string, IncidentAlert> = {};
  for (const [fp, text] of Object.entries(fields)) out[fp] = JSON.parse(text) as IncidentAlert;
  return out;
}

export async function execOrThrow(multi: ReturnType<Redis['multi']>): Promise<void> {
  const results = await multi.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0] as Error;
}
