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
  const secret = readSecret({ inline: t.token, file: t.token_file, env: t.token_env }, configFile, env, fail, 'token');
  if (secret.length < MIN_TOKEN_CHARS) throw fail(`token must be at least ${MIN_TOKEN_CHARS} characters`);
  return sha256Hex(secret);
}

/**
 * The clear text of a secret written inline, in a file (relative to warden.yaml, trimmed) or in an
 * environment variable: one reader for auth tokens and integration signing secrets alike.
 */
export function readSecret(from: { inline?: string; file?: string; env?: string }, configFile: string, env: NodeJS.ProcessEnv, fail: (detail: string) => ConfigError, what = 'secret'): string {
  if (from.inline !== undefined) return from.inline;
  if (from.file !== undefined) {
    const path = resolve(dirname(configFile), from.file);
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw fail(`cannot read ${what} file ${path}: ${errorMessage(err)}`);
    }
  }
  const name = from.env as string;
  const value = env[name];
  if (value === undefined || value === '') throw fail(`environment variable ${name} is not set`);
  return value.trim();
}
