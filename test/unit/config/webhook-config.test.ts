import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load-config';
import { ConfigError } from '../../../src/errors';

/** warden.yaml with one receiver whose only webhook config is `entry` (YAML flow map, on line 4). */
function yaml(entry: string): string {
  return `notify:\n  receivers:\n    - name: tickets\n      webhook_configs: [${entry}]\n  route: {receiver: tickets}\n`;
}

describe('webhook_configs in warden.yaml', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-webhook-config-'));
    writeFileSync(join(dir, 'token'), 's3cr3t-token\n');
    writeFileSync(join(dir, 'password'), 'pa55\n');
    writeFileSync(join(dir, 'url'), 'https://hooks.example/T0K3N\n');
    writeFileSync(join(dir, 'bad-url'), 'ftp://hooks.example/\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const parse = (text: string) => parseConfig(join(dir, 'warden.yaml'), text);
  const endpoint = (entry: string) => parse(yaml(entry)).notify.receivers[0]!.webhook_configs[0]!.endpoint!;

  it('defaults are Alertmanager\'s (send_resolved true, max_alerts 0) plus a 10 s timeout; files are read at load, relative to warden.yaml', () => {
    expect(endpoint('{url: "http://127.0.0.1:9/hook"}')).toEqual({ url: 'http://127.0.0.1:9/hook', followRedirects: true, timeoutMs: 10_000, maxAlerts: 0, sendResolved: true });
    expect(endpoint('{url_file: url, http_config: {authorization: {credentials_file: token}}, timeout: 2s, max_alerts: 5, send_resolved: false}')).toEqual({
      url: 'https://hooks.example/T0K3N', authorization: 'Bearer s3cr3t-token', followRedirects: true, timeoutMs: 2000, maxAlerts: 5, sendResolved: false,
    });
    expect(endpoint('{url: "https://h.example/", http_config: {basic_auth: {username: warden, password_file: password}}}').authorization).toBe(`Basic ${Buffer.from('warden:pa55').toString('base64')}`);
    expect(endpoint('{url: "https://h.example/", http_config: {bearer_token: abc}}').authorization).toBe('Bearer abc');
    expect(endpoint('{url: "https://h.example/", http_config: {authorization: {type: Token, credentials: abc}}}').authorization).toBe('Token abc');
  });

  it.each([
    ['a non-http URL', '{url: "ftp://hooks.example/"}', 'notify.receivers[0].webhook_configs[0].url', /must be an http:\/\/ or https:\/\/ URL \(got ftp:\/\/\)/],
    ['a relative URL', '{url: "/hook"}', 'notify.receivers[0].webhook_configs[0].url', /must be an absolute http:\/\/ or https:\/\/ URL/],
    ['credentials in the URL', '{url: "https://user:pw@hooks.example/"}', 'notify.receivers[0].webhook_configs[0].url', /must not carry credentials; put them in http_config.basic_auth/],
    ['neither url nor url_file', '{send_resolved: true}', 'notify.receivers[0].webhook_configs[0].url', /needs url or url_file/],
    ['both url and url_file', '{url: "https://h.example/", url_file: url}', 'notify.receivers[0].webhook_configs[0].url_file', /give only one of url, url_file/],
    ['a url_file holding a non-http URL', '{url_file: bad-url}', 'notify.receivers[0].webhook_configs[0].url_file', /the URL in url_file must be an http:\/\/ or https:\/\/ URL/],
    ['a missing url_file', '{url_file: nope}', 'notify.receivers[0].webhook_configs[0].url_file', /cannot read .*nope/],
    ['a missing credentials_file', '{url: "https://h.example/", http_config: {authorization: {credentials_file: nope}}}', 'notify.receivers[0].webhook_configs[0].http_config.authorization.credentials_file', /cannot read/],
    ['two ways to authenticate', '{url: "https://h.example/", http_config: {bearer_token: a, basic_auth: {username: u, password: p}}}', 'notify.receivers[0].webhook_configs[0].http_config.bearer_token', /give only one of authorization, basic_auth, bearer_token, bearer_token_file \(also has basic_auth\)/],
    ['Basic through authorization', '{url: "https://h.example/", http_config: {authorization: {type: Basic, credentials: x}}}', 'notify.receivers[0].webhook_configs[0].http_config.authorization.type', /use http_config.basic_auth/],
    ['a negative max_alerts', '{url: "https://h.example/", max_alerts: -1}', 'notify.receivers[0].webhook_configs[0].max_alerts', /expected number to be >=0/i],
    ['a zero timeout', '{url: "https://h.example/", timeout: 0s}', 'notify.receivers[0].webhook_configs[0].timeout', /must be more than 0/],
    ['a malformed timeout', '{url: "https://h.example/", timeout: 5}', 'notify.receivers[0].webhook_configs[0].timeout', /expected string|must be a duration/],
    ['an unsupported http_config key', '{url: "https://h.example/", http_config: {proxy_url: "http://p:3128"}}', 'notify.receivers[0].webhook_configs[0].http_config.proxy_url', /unknown key "proxy_url"/],
    ['a client cert without its key', '{url: "https://h.example/", http_config: {tls_config: {cert_file: token}}}', 'notify.receivers[0].webhook_configs[0].http_config.tls_config.key_file', /cert_file and key_file go together/],
    ['a newline in credentials', '{url: "https://h.example/", http_config: {bearer_token: "a\\nb"}}', 'notify.receivers[0].webhook_configs[0].http_config', /must not contain control characters or newlines/],
  ])('%s is refused at load with file, line and field', (_what, entry, field, message) => {
    let caught: unknown;
    try {
      parse(yaml(entry));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.file).toBe(join(dir, 'warden.yaml'));
    expect(e.line).toBe(4);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });
});
