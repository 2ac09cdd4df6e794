import type Redis from 'ioredis';

export interface SentRecord {
  readonly atMs: number;
  readonly ref?: string;
}

/**
 * What has been sent, per notification key (Alertmanager's nflog). Written by the delivery worker
 * after the channel accepted a message and before the job is acknowledged, so a job replayed after
 * a crash finds it and sends nothing (spec §9.2: natural idempotency). Queueing twice is prevented
 * by the key itself being the BullMQ job id.
 */
export class NotificationLog {
  readonly #redis: Redis;
  readonly #prefix: string;
  // spec §9.1 keeps idempotency keys 24 h; a notification record must outlive any incident, so 30 days.
  static readonly TTL_SECONDS = 30 * 86_400;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #sentKey = (key: string) => `${this.#prefix}:nflog:sent:${key}`;

  async sent(key: string): Promise<SentRecord | undefined> {
    const text = await this.#redis.get(this.#sentKey(key));
    return text ? (JSON.parse(text) as SentRecord) : undefined;
  }

  /** Written in the same MULTI as the thread ref by the worker; exposed for that purpose. */
  recordSentCommand(multi: ReturnType<Redis['multi']>, key: string, record: SentRecord): void {
    multi.set(this.#sentKey(key), JSON.stringify(record), 'EX', NotificationLog.TTL_SECONDS);
  }
}

/** BullMQ job ids and nflog keys: no ':' (BullMQ refuses it in custom ids), only safe characters. */
export function sanitizeKeyPart(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function notificationKey(parts: { incidentId: string; transition: string; seq?: number; receiver: string; channel: string; fallback?: boolean }): string {
  const t = parts.seq !== undefined ? `${parts.transition}-${parts.seq}` : parts.transition;
  const key = [parts.incidentId, t, parts.receiver, parts.channel].map(sanitizeKeyPart).join('.');
  return parts.fallback ? `${key}.fallback` : key;
}
