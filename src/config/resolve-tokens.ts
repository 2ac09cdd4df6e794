import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, errorMessage } from '../errors';
import type { AuthToken, TokenConfig } from './schema';
import type { YamlSource } from './yaml-source';

const MIN_TOKEN_CHARS = 16;

export const sha256Hex = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/**
 * Reads every token's secret once, at load (fail fast: an unreadable file or an unset variable
 * stops Warden starting rather than locking everyone out later), and keeps only its sha256.
 * `token_file` is relative to warden.yaml.
 */
export function resolveTokens(source: YamlSource, tokens: readonly TokenConfig[], env: NodeJS.ProcessEnv): AuthToken[] {
  const seen = new Set<string>();
  return tokens.map((t, i) => {
    const key = t.token !== undefined ? 'token' : t.token_file !== undefined ? 'token_file' : t.token_env !== undefined ? 'token_env' : 'token_sha256';
    const fail = (detail: string) => new ConfigError(detail, { file: source.file, ...source.position(['auth', 'tokens', i, key]), field: `auth.tokens[${i}].${key}` });
    const sha256 = digestOf(t, source.file, env, fail);
    if (seen.has(sha256)) throw fail('duplicate token');
    seen.add(sha256);
    return { ...t, sha256 };
  });
}

function digestOf(t: TokenConfig, configFile: string, env: NodeJS.ProcessEnv, fail: (detail: string) => ConfigError): string {
  if (t.token_sha256 !== undefined) return t.token_sha256.toLowerCase();
  let secret: string;
  if (t.token !== undefined) secret = t.token;
  else if (t.token_file !== undefined) {
    const path = resolve(dirname(configFile), t.token_file);
    try {
      secret = readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw fail(`cannot read token file ${path}: ${errorMessage(err)}`);
    }
  } else {
    const name = t.token_env as string;
    const value = env[name];
    if (value === undefined || value === '') throw fail(`environment variable ${name} is not set`);
    secret = value.trim();
  }
  if (secret.length < MIN_TOKEN_CHARS) throw fail(`token must be at least ${MIN_TOKEN_CHARS} characters`);
  return sha256Hex(secret);
}
