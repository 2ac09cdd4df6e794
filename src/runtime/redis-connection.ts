import Redis, { type RedisOptions } from 'ioredis';
import { ConfigError } from '../errors';

/**
 * Warden names its Redis with one string everywhere (config, REDIS_URL, --redis-url, the BullMQ
 * connections), so a Sentinel deployment is one too: `redis+sentinel://h1:26379,h2:26379/<name>[/<db>]`
 * (the form redis-py/kombu-style clients use), built from `redis.sentinels` + `redis.name`. It carries
 * no password (it is logged); Redis AUTH over Sentinel is not supported yet (README, Redis Sentinel).
 */
export const SENTINEL_SCHEME = 'redis+sentinel://';

export interface SentinelEndpoint {
  readonly sentinels: ReadonlyArray<{ host: string; port: number }>;
  readonly name: string;
  readonly db: number;
}

/** `host:port` -> { host, port }; a clear error naming the field otherwise. */
export function parseHostPort(text: string, field: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ConfigError(`${JSON.stringify(text)} is not host:port`, { file: 'redis', field });
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

export function sentinelUrl(sentinels: readonly string[], name: string): string {
  return `${SENTINEL_SCHEME}${sentinels.join(',')}/${encodeURIComponent(name)}`;
}

export function isSentinelUrl(url: string): boolean {
  return url.startsWith(SENTINEL_SCHEME);
}

export function parseSentinelUrl(url: string): SentinelEndpoint {
  const rest = url.slice(SENTINEL_SCHEME.length);
  const [hosts = '', name = '', db = '0', ...extra] = rest.split('/');
  if (!hosts || !name || extra.length > 0 || !/^\d+$/.test(db)) throw new ConfigError(`not a ${SENTINEL_SCHEME}host:port[,host:port...]/<master name>[/<db>] URL`, { file: 'redis', field: 'url' });
  return { sentinels: hosts.split(',').map((h) => parseHostPort(h, 'url')), name: decodeURIComponent(name), db: Number(db) };
}

/** ioredis options for `url` (sentinels resolved through the master group), merged with `extra`. */
export function redisOptionsFor(url: string, extra: RedisOptions = {}): RedisOptions {
  if (!isSentinelUrl(url)) return extra;
  const e = parseSentinelUrl(url);
  return {
    ...extra,
    sentinels: e.sentinels.map((s) => ({ ...s })),
    name: e.name,
    db: e.db,
    // Told of a promotion by the sentinels themselves (+switch-master), not only when the old primary's socket dies.
    failoverDetector: true,
    // A primary demoted under us answers READONLY: reconnect, which asks the sentinels for the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}

/** The one way Warden opens a Redis connection: a redis:// URL, or a Sentinel master group. */
export function connectRedis(url: string, extra: RedisOptions = {}): Redis {
  return isSentinelUrl(url) ? new Redis(redisOptionsFor(url, extra)) : new Redis(url, extra);
}
