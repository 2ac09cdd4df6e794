import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { RequestError } from '../../errors';
import type { Alert, AlertTransition } from '../../rules/alert';
import { fingerprint } from '../../rules/fingerprint';
import type { PostableAlert } from './postable-alerts';

/** `Alert.source` of an alert a Prometheus (or any Alertmanager client) posted. */
export const PUSHED_ALERT_SOURCE = 'prometheus';

/** A posted alert as Warden holds it: the pipeline's Alert snapshot plus Alertmanager's own fields. */
export interface PushedAlert {
  /** Frozen; replaced (never mutated) when the alert changes, as the rule engine's snapshots are. */
  readonly alert: Alert;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly updatedAtMs: number;
  readonly generatorURL?: string;
  /** endsAt was not posted: it is resolve_timeout after the last post (Alertmanager's `Timeout`). */
  readonly timeout: boolean;
}

export interface PushedAlertsOptions {
  redis: Redis;
  prefix: string;
  resolveTimeoutMs: number;
  resolvedRetentionMs: number;
  maxAlerts: number;
  log: Logger;
}

/**
 * Alerts posted to /api/v2/alerts, deduplicated by label set (Prometheus re-sends firing alerts every
 * minute and resolved ones for ~15 min). Each becomes an Alert with source "prometheus" whose state
 * changes are handed to the same pipeline as the rule engine's (incidents, remediation, health).
 * Every posted alert is kept in one Redis hash, written before a post is acknowledged, so a restart
 * resumes them with their startsAt (and the incidents they opened stay the same).
 */
export class PushedAlerts {
  readonly #o: PushedAlertsOptions;
  readonly #key: string;
  readonly #alerts = new Map<string, PushedAlert>();
  /** Firing ones, in a separate map so activeAlerts() costs the firing alerts, not the retained resolved ones. */
  readonly #firing = new Map<string, Alert>();
  #nextEndMs = Infinity;

  constructor(opts: PushedAlertsOptions) {
    this.#o = opts;
    this.#key = `${opts.prefix}:am:alerts`;
  }

  /** Loads the alerts held before a restart; no transitions (their incidents are still open). */
  async restore(): Promise<void> {
    for (const text of Object.values(await this.#o.redis.hgetall(this.#key))) {
      const p = JSON.parse(text) as PushedAlert;
      this.#hold({ ...p, alert: Object.freeze({ ...p.alert, value: 1 }) });
    }
  }

  get size(): number {
    return this.#alerts.size;
  }

  /** Every held alert, firing and resolved (GET /api/v2/alerts filters). */
  all(): IterableIterator<PushedAlert> {
    return this.#alerts.values();
  }

  get(fp: string): PushedAlert | undefined {
    return this.#alerts.get(fp);
  }

  activeAlerts(): Iterable<Alert> {
    return this.#firing.values();
  }

  isFiring(fp: string, firedAtMs: number): boolean {
    return this.#firing.get(fp)?.firedAtMs === firedAtMs;
  }

  /**
   * Applies a validated batch: new and re-fired alerts fire, alerts whose endsAt has passed resolve,
   * re-sends only refresh endsAt and annotations. Refused whole (429, nothing changed) when it would
   * hold more than max_alerts. Returns the transitions and the write that makes them durable.
   */
  apply(batch: readonly PostableAlert[], nowMs: number): { transitions: AlertTransition[]; persisted: Promise<void> } {
    const next = new Map<string, PushedAlert>();
    for (const p of batch) {
      const fp = fingerprint(p.labels);
      next.set(fp, this.#merge(next.get(fp) ?? this.#alerts.get(fp), p, fp, nowMs));
    }
    let added = 0;
    for (const fp of next.keys()) if (!this.#alerts.has(fp)) added++;
    if (this.#alerts.size + added > this.#o.maxAlerts) {
      throw new RequestError(429, 'too_many_alerts', `Warden holds ${this.#alerts.size} posted alerts; this batch would add ${added}, over alertmanager.max_alerts (${this.#o.maxAlerts})`);
    }
    const transitions: AlertTransition[] = [];
    const writes: string[] = [];
    for (const [fp, p] of next) {
      const before = this.#firing.get(fp);
      const firing = p.endsAtMs > nowMs;
      if (firing && (!before || before.firedAtMs !== p.alert.firedAtMs)) {
        if (before) transitions.push(resolved(before, nowMs));
        transitions.push({ alert: p.alert, from: 'inactive', to: 'firing', atMs: nowMs });
      } else if (!firing && before) {
        transitions.push(resolved(before, Math.min(nowMs, p.endsAtMs)));
      }
      this.#hold(p);
      writes.push(fp, JSON.stringify(p));
    }
    const persisted = writes.length > 0 ? this.#o.redis.hset(this.#key, ...writes).then(() => undefined) : Promise.resolve();
    return { transitions, persisted };
  }

  /**
   * Time-driven: alerts whose endsAt passed (Prometheus stopped re-sending, or sent the end) resolve;
   * resolved ones older than resolved_retention are forgotten. Cheap when nothing is due.
   */
  tick(nowMs: number): AlertTransition[] {
    if (nowMs < this.#nextEndMs) return [];
    const out: AlertTransition[] = [];
    const forget: string[] = [];
    let nextMs = Infinity;
    for (const [fp, p] of this.#alerts) {
      const firing = this.#firing.get(fp);
      if (firing && p.endsAtMs <= nowMs) {
        out.push(resolved(firing, p.endsAtMs));
        this.#firing.delete(fp);
      }
      const forgetAtMs = p.endsAtMs + this.#o.resolvedRetentionMs;
      if (forgetAtMs <= nowMs) {
        this.#alerts.delete(fp);
        forget.push(fp);
        continue;
      }
      nextMs = Math.min(nextMs, this.#firing.has(fp) ? p.endsAtMs : forgetAtMs);
    }
    this.#nextEndMs = nextMs;
    // Forgetting is not a state change anyone waits on; a failed delete is retried by the next restart's tick.
    if (forget.length > 0) this.#o.redis.hdel(this.#key, ...forget).catch((err: unknown) => this.#o.log.warn({ err }, 'forgetting resolved posted alerts failed'));
    return out;
  }

  #merge(old: PushedAlert | undefined, p: PostableAlert, fp: string, nowMs: number): PushedAlert {
    const startsAtMs = p.startsAtMs ?? nowMs;
    const endsAtMs = p.endsAtMs ?? nowMs + this.#o.resolveTimeoutMs;
    // Alertmanager's Merge: a re-send of the same firing episode keeps its earliest start.
    const sameEpisode = old !== undefined && old.endsAtMs > nowMs && startsAtMs <= old.endsAtMs;
    const firedAtMs = sameEpisode ? Math.min(old.startsAtMs, startsAtMs) : startsAtMs;
    const name = p.labels.alertname ?? fp;
    // value 1, like the ALERTS series Prometheus writes for an alert (the sample that fired it is not sent).
    const alert: Alert = Object.freeze({
      fingerprint: fp, name, group: PUSHED_ALERT_SOURCE, file: '', source: PUSHED_ALERT_SOURCE, labels: p.labels, annotations: p.annotations,
      state: endsAtMs > nowMs ? 'firing' : 'inactive', activeAtMs: firedAtMs, firedAtMs, value: 1,
      ...(endsAtMs > nowMs ? {} : { resolvedAtMs: endsAtMs }),
      ...(p.generatorURL !== undefined ? { generatorURL: p.generatorURL } : {}),
    });
    return { alert, startsAtMs: firedAtMs, endsAtMs, updatedAtMs: nowMs, generatorURL: p.generatorURL, timeout: p.endsAtMs === undefined };
  }

  #hold(p: PushedAlert): void {
    const fp = p.alert.fingerprint;
    this.#alerts.set(fp, p);
    if (p.alert.state === 'firing') this.#firing.set(fp, p.alert);
    else this.#firing.delete(fp);
    this.#nextEndMs = Math.min(this.#nextEndMs, p.alert.state === 'firing' ? p.endsAtMs : p.endsAtMs + this.#o.resolvedRetentionMs);
  }
}

function resolved(a: Alert, atMs: number): AlertTransition {
  return { alert: Object.freeze({ ...a, state: 'inactive', resolvedAtMs: atMs }), from: 'firing', to: 'inactive', atMs };
}
