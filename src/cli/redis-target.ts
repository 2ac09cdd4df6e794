import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redisConfigSchema } from '../config/schema';
import { YamlSource } from '../config/yaml-source';
import { ConfigError } from '../errors';
import { EMBEDDED_URL_FILE } from '../runtime/embedded-redis';
import { sentinelUrl } from '../runtime/redis-connection';

export interface RedisTargetFlags {
  redisUrl?: string;
  prefix?: string;
  /** warden.yaml: its `redis.url` and `redis.prefix`. */
  config?: string;
  /** Where `warden start` keeps its embedded redis-server (and writes its address). */
  dataDir: string;
}

export interface RedisTarget {
  readonly url: string;
  readonly prefix: string;
  /** Where the URL came from, said on stderr so the operator knows which Redis was read. */
  readonly from: string;
}

const DEFAULT_CONFIG = 'warden.yaml';

/**
 * The Redis a command that needs only Redis talks to, as `warden start` finds it: --redis-url,
 * else REDIS_URL, else the config file's redis.url, else the embedded redis-server `warden start`
 * runs (its address is in <data-dir>/url while it runs). The prefix: --prefix, else redis.prefix.
 * Only the `redis:` section of the config is read, so secrets elsewhere need not be set.
 */
export function resolveRedisTarget(flags: RedisTargetFlags, env: NodeJS.ProcessEnv): RedisTarget {
  const configFile = flags.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const redis = configFile === undefined ? undefined : readRedisSection(configFile);
  const prefix = flags.prefix ?? redis?.prefix ?? 'warden';
  if (flags.redisUrl) return { url: flags.redisUrl, prefix, from: '--redis-url' };
  if (env.REDIS_URL) return { url: env.REDIS_URL, prefix, from: 'REDIS_URL' };
  if (redis?.url) return { url: redis.url, prefix, from: `${configFile} redis.url` };
  if (redis?.sentinels && redis.name) return { url: sentinelUrl(redis.sentinels, redis.name), prefix, from: `${configFile} redis.sentinels` };
  const urlFile = join(flags.dataDir, EMBEDDED_URL_FILE);
  if (existsSync(urlFile)) {
    const url = readFileSync(urlFile, 'utf8').trim();
    if (!/^rediss?:\/\/\S+$/.test(url)) throw new ConfigError(`not a redis:// URL: ${JSON.stringify(url.slice(0, 100))}`, { file: urlFile, line: 1 });
    return { url, prefix, from: `${urlFile} (the embedded redis-server of warden start)` };
  }
  throw new ConfigError(`no Redis to read: pass --redis-url, set REDIS_URL or redis.url, or run \`warden start\` (its embedded redis-server writes its address to ${urlFile})`, { file: configFile ?? 'command line' });
}

function readRedisSection(file: string) {
  if (!existsSync(file)) throw new ConfigError('config file not found', { file });
  const source = YamlSource.parse(file, readFileSync(file, 'utf8'));
  const raw = (source.toJS() as { redis?: unknown }).redis;
  // `?? {}`: an undefined value would make validate() read the whole document.
  return source.validate(redisConfigSchema, raw ?? {}, ['redis']);
}
