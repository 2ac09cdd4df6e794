import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../errors';
import { configSchema, type WardenConfig } from './schema';
import { YamlSource } from './yaml-source';
import { resolveTokens } from './resolve-tokens';
import { resolveIntegrations } from './integrations-schema';
import { checkNotifyReferences } from './notify-config-check';
import { resolveWebhookEndpoints } from './webhook-endpoint';
import { resolveDatabaseClusters } from './resolve-database-clusters';
import { sentinelUrl } from '../runtime/redis-connection';

/** Overrides from the command line and the environment; the only place that reads process.env. */
export interface ConfigOverrides {
  port?: number;
  redisUrl?: string;
}

export function overridesFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigOverrides {
  const out: ConfigOverrides = {};
  if (env.WARDEN_PORT !== undefined && env.WARDEN_PORT !== '') {
    const port = Number(env.WARDEN_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError(`WARDEN_PORT must be a port number, got "${env.WARDEN_PORT}"`, { file: 'environment', field: 'WARDEN_PORT' });
    }
    out.port = port;
  }
  if (env.REDIS_URL) out.redisUrl = env.REDIS_URL;
  return out;
}

/** `env` is where `token_env` secrets are read (the process environment unless a test passes its own). */
export function parseConfig(file: string, text: string, overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): WardenConfig {
  const source = YamlSource.parse(file, text);
  const parsed = source.validate(configSchema);
  const config: WardenConfig = {
    ...parsed,
    auth: { tokens: resolveTokens(source, parsed.auth.tokens, env) },
    integrations: resolveIntegrations(source, parsed.integrations, env),
    notify: resolveWebhookEndpoints(source, parsed.notify),
  };
  checkUniqueNames(source, config);
  const databases = resolveDatabaseClusters(source, parsed.remediation.executors.databases, parsed.components, env);
  config.remediation = { ...parsed.remediation, executors: { ...parsed.remediation.executors, databases } };
  checkNotifyReferences(source, config.notify);
  if (overrides.port !== undefined) config.server.port = overrides.port;
  // Sentinels become the one Redis string every connection is made from (runtime/redis-connection).
  if (parsed.redis.sentinels && parsed.redis.name) config.redis = { ...config.redis, url: sentinelUrl(parsed.redis.sentinels, parsed.redis.name) };
  if (overrides.redisUrl !== undefined) config.redis.url = overrides.redisUrl;
  return config;
}

export function loadConfig(file: string, overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): WardenConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config: ${errorMessage(err)}`, { file });
  }
  return parseConfig(file, text, overrides, env);
}

function checkUniqueNames(source: YamlSource, config: WardenConfig): void {
  const seen = new Set<string>();
  config.components.forEach((c, i) => {
    if (seen.has(c.name)) {
      throw new ConfigError(`duplicate component "${c.name}"`, { file: source.file, ...source.position(['components', i, 'name']), field: `components[${i}].name` });
    }
    seen.add(c.name);
  });
}
