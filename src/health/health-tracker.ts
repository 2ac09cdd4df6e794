import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Alert } from '../rules/alert';
import type { HealthSnapshot, HealthStatus, HealthTransition } from './health-types';

export interface HealthTrackerOptions {
  redis: Redis;
  prefix: string;
  log: Logger;
  /** Bound on the transition stream (XADD MAXLEN ~). */
  maxEvents?: number;
}

export interface HealthUpdate {
  readonly transitions: readonly HealthTransition[];
  /** Resolves once the transitions and the snapshot are in Redis (spec §8.3: written before acknowledged). */
  readonly persisted: Promise<void>;
}

const NO_WRITE: Promise<void> = Promise.resolve();

/**
 * Remembers the last health snapshot, turns changes into transition events and writes them to a
 * Redis stream, with the current snapshot beside it so health survives a restart.
 */
export class HealthTracker {
  readonly #opts: HealthTrackerOptions;
  #current: HealthSnapshot | undefined;

  constructor(opts: HealthTrackerOptions) {
    this.#opts = opts;
  }

  get streamKey(): string {
    return `${this.#opts.prefix}:health:events`;
  }

  get currentKey(): string {
    return `${this.#opts.prefix}:health:current`;
  }

  get alertsKey(): string {
    return `${this.#opts.prefix}:alerts:active`;
  }

  /** Active alerts, so a restarted Warden resumes them with their original firedAt (see RuleEngine.restore). */
  saveAlerts(alerts: readonly Alert[]): Promise<void> {
    const write = this.#opts.redis.set(this.alertsKey, JSON.stringify(alerts)).then(() => undefined);
    write.catch((err: unknown) => this.#opts.log.error({ err }, 'failed to persist active alerts'));
    return write;
  }

  async restoreAlerts(): Promise<Alert[]> {
    const text = await this.#opts.redis.get(this.alertsKey);
    return text ? (JSON.parse(text) as Alert[]) : [];
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
    if (transitions.length === 0) return { transitions, persisted: NO_WRITE };
    const multi = this.#opts.redis.multi();
    for (const t of transitions) {
      multi.xadd(this.streamKey, 'MAXLEN', '~', String(this.#opts.maxEvents ?? 100_000), '*', 'event', JSON.stringify(t));
    }
    multi.set(this.currentKey, JSON.stringify(next));
    const persisted = multi.exec().then((results) => {
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0] as Error;
    });
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
