import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load-config';
import { ConfigError } from '../../../src/errors';

const SECRET = 'file-token-0123456789abcdef';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-tokens-'));
  file = join(dir, 'warden.yaml');
  writeFileSync(join(dir, 'pusher.token'), `${SECRET}\n`);
  writeFileSync(join(dir, 'short.token'), 'short\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tokens = (...entries: string[]) => `auth:\n  tokens:\n${entries.map((e) => `    - ${e}\n`).join('')}`;

function configError(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(file, text, {}, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('auth token sources', () => {
  it('reads token_file (relative to warden.yaml, trimmed), token_env and token_sha256; keeps only digests', () => {
    const c = parseConfig(file, tokens(
      '{name: pusher, token_file: pusher.token, scopes: [ingest]}',
      '{name: viewer, token_env: WARDEN_VIEWER_TOKEN, scopes: [read]}',
      `{name: oncall, token_sha256: ${sha('sha-token-0123456789abcdef').toUpperCase()}, scopes: [operate]}`,
      '{name: root, token: inline-token-0123456789, scopes: [admin]}',
    ), {}, { WARDEN_VIEWER_TOKEN: 'env-token-0123456789abcdef' });
    expect(c.auth.tokens.map((t) => [t.name, t.sha256])).toEqual([
      ['pusher', sha(SECRET)],
      ['viewer', sha('env-token-0123456789abcdef')],
      ['oncall', sha('sha-token-0123456789abcdef')],
      ['root', sha('inline-token-0123456789')],
    ]);
    expect(JSON.stringify(c.auth.tokens)).not.toContain(SECRET);
    expect(JSON.stringify(c.auth.tokens)).not.toContain('env-token-0123456789abcdef');
  });

  it('wants exactly one source per entry, naming file, line and field', () => {
    const none = configError(tokens('{name: a, scopes: [read]}'));
    expect(none.message).toBe(`${file}:3:7: auth.tokens[0]: needs exactly one of token, token_file, token_env, token_sha256`);
    const two = configError(tokens('{name: a, token: other-token-0123456789, scopes: [read]}', '{name: b, token: inline-token-0123456789, token_env: X, scopes: [read]}'));
    expect(two).toMatchObject({ line: 4, field: 'auth.tokens[1].token_env' });
    expect(two.message).toMatch(/give only one of .* \(also has token\)/);
  });

  it('an unreadable token_file, an unset or short token_env, a short file and a malformed sha256 are errors at load', () => {
    const missing = configError(tokens('{name: a, token_file: nope.token, scopes: [read]}'));
    expect(missing).toMatchObject({ line: 3, field: 'auth.tokens[0].token_file' });
    expect(missing.message).toMatch(new RegExp(`^${file}:3:\\d+: auth\\.tokens\\[0\\]\\.token_file: cannot read token file ${join(dir, 'nope.token')}: .*ENOENT`));
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir, 'locked.token'), SECRET);
      chmodSync(join(dir, 'locked.token'), 0o000);
      expect(configError(tokens('{name: a, token_file: locked.token, scopes: [read]}')).message).toMatch(/EACCES/);
    }
    const unset = configError(tokens('{name: a, token: inline-token-0123456789, scopes: [read]}', '{name: b, token_env: WARDEN_MISSING, scopes: [read]}'));
    expect(unset.message).toMatch(new RegExp(`^${file}:4:\\d+: auth\\.tokens\\[1\\]\\.token_env: environment variable WARDEN_MISSING is not set$`));
    expect(configError(tokens('{name: b, token_env: WARDEN_EMPTY, scopes: [read]}'), { WARDEN_EMPTY: '' }).message).toMatch(/WARDEN_EMPTY is not set/);
    expect(configError(tokens('{name: b, token_env: WARDEN_SHORT, scopes: [read]}'), { WARDEN_SHORT: 'abc' })).toMatchObject({ field: 'auth.tokens[0].token_env', detail: 'token must be at least 16 characters' });
    expect(configError(tokens('{name: a, token_file: short.token, scopes: [read]}'))).toMatchObject({ field: 'auth.tokens[0].token_file', detail: 'token must be at least 16 characters' });
    expect(configError(tokens('{name: a, token_sha256: abc123, scopes: [read]}'))).toMatchObject({ line: 3, field: 'auth.tokens[0].token_sha256', detail: expect.stringMatching(/64 hex digits/) });
    expect(configError(tokens('{name: a, token_env: "not a name", scopes: [read]}'))).toMatchObject({ field: 'auth.tokens[0].token_env' });
  });

  it('the same token under two sources is a duplicate', () => {
    const dup = configError(tokens(`{name: a, token: ${SECRET}, scopes: [read]}`, '{name: b, token_file: pusher.token, scopes: [ingest]}'));
    expect(dup).toMatchObject({ line: 4, field: 'auth.tokens[1].token_file', detail: 'duplicate token' });
    expect(configError(tokens(`{name: a, token: ${SECRET}, scopes: [read]}`, `{name: b, token_sha256: ${sha(SECRET)}, scopes: [ingest]}`))).toMatchObject({ field: 'auth.tokens[1].token_sha256', detail: 'duplicate token' });
  });
});
