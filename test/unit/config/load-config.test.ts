import { parseConfig, overridesFromEnv } from '../../../src/config/load-config';
import { configJsonSchema } from '../../../src/config/schema';
import { ConfigError } from '../../../src/errors';

function expectConfigError(text: string, match: { line?: number; field?: string; message: RegExp }) {
  let caught: unknown;
  try {
    parseConfig('warden.yaml', text);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const e = caught as ConfigError;
  if (match.line !== undefined) expect(e.line).toBe(match.line);
  if (match.field !== undefined) expect(e.field).toBe(match.field);
  expect(e.message).toMatch(match.message);
  expect(e.message.startsWith('warden.yaml:')).toBe(true);
}

describe('warden.yaml loading', () => {
  it('applies the documented defaults to an empty file', () => {
    const c = parseConfig('warden.yaml', '');
    expect(c.server.port).toBe(9097);
    expect(c.staleness).toBe(60_000);
    expect(c.limits).toMatchObject({ max_labels: 32, max_label_value_bytes: 1024, max_body: 10 * 1024 * 1024, max_future: 300_000 });
    expect(c.auth.tokens).toEqual([]);
  });

  it('parses durations and probe defaults (5 s interval, 3 s timeout, 3 failures, 250 ms confirm)', () => {
    const c = parseConfig('warden.yaml', 'components:\n  - name: settlement\n    critical: true\n    probe: {url: "http://127.0.0.1:1/healthz"}\nstaleness: 1m30s\n');
    expect(c.components[0]).toMatchObject({ name: 'settlement', critical: true, probe: { interval: 5000, timeout: 3000, failure_threshold: 3, confirm_interval: 250 } });
    expect(c.staleness).toBe(90_000);
  });

  it('an unset confirm_interval is 250 ms or the probe interval if that is shorter', () => {
    const c = parseConfig('warden.yaml', 'components:\n  - name: db\n    probe: {url: "http://127.0.0.1:1/healthz", interval: 100ms}\n');
    expect(c.components[0]?.probe?.confirm_interval).toBe(100);
  });

  it('rejects a probe confirm_interval longer than its interval, naming the field', () => {
    expectConfigError('components:\n  - name: db\n    probe: {url: "http://127.0.0.1:1/healthz", interval: 1s, confirm_interval: 2s}\n', { field: 'components[0].probe.confirm_interval', message: /must not exceed interval/ });
  });

  it('a scrape timeout defaults to 3 s or the interval if shorter, and a longer one is refused (as in Prometheus)', () => {
    const c = parseConfig('warden.yaml', 'scrape:\n  - {job: a, url: "http://x/metrics", interval: 2s}\n  - {job: b, url: "http://x/metrics"}\n');
    expect(c.scrape.map((s) => s.timeout)).toEqual([2000, 3000]);
    expectConfigError('scrape:\n  - job: a\n    url: "http://x/metrics"\n    interval: 2s\n    timeout: 5s\n', { line: 5, field: 'scrape[0].timeout', message: /must not exceed interval/ });
  });

  it('refuses a component named "events": GET /v1/health/events would shadow it', () => {
    expectConfigError('components:\n  - name: database\n  - name: events\n', { line: 3, field: 'components[1].name', message: /"events" is reserved/ });
  });

  it('names the line and field of an unknown key', () => {
    expectConfigError('server:\n  port: 9097\n  hots: 0.0.0.0\n', { line: 3, field: 'server.hots', message: /unknown key "hots"/ });
  });

  it('names the line and field of a wrong type', () => {
    expectConfigError('components:\n  - name: db\n    critical: "yes"\n', { line: 3, field: 'components[0].critical', message: /boolean/ });
  });

  it('rejects a malformed duration with its line', () => {
    expectConfigError('staleness: 60 seconds\n', { line: 1, field: 'staleness', message: /duration/ });
  });

  it('rejects duplicate component names', () => {
    expectConfigError('components:\n  - name: db\n  - name: db\n', { line: 3, message: /duplicate component "db"/ });
  });

  it('rejects YAML syntax errors with a line', () => {
    expectConfigError('server:\n  port: [9097\n', { message: /warden\.yaml:\d+/ });
  });

  it('rejects short tokens and unknown scopes', () => {
    expectConfigError('auth:\n  tokens:\n    - {name: a, token: short, scopes: [read]}\n', { field: 'auth.tokens[0].token', message: /16 characters/ });
    expectConfigError('auth:\n  tokens:\n    - {name: a, token: aaaaaaaaaaaaaaaaaaaa, scopes: [root]}\n', { field: 'auth.tokens[0].scopes[0]', message: /ingest|read/ });
  });

  it('lets WARDEN_PORT and REDIS_URL override the file, and rejects a bad WARDEN_PORT', () => {
    const c = parseConfig('warden.yaml', 'server: {port: 1}\n', overridesFromEnv({ WARDEN_PORT: '9999', REDIS_URL: 'redis://h:1' }));
    expect(c.server.port).toBe(9999);
    expect(c.redis.url).toBe('redis://h:1');
    expect(() => overridesFromEnv({ WARDEN_PORT: 'abc' })).toThrow(/WARDEN_PORT/);
  });

  it('emits a JSON Schema that editors can use', () => {
    const schema = configJsonSchema() as { type: string; properties: Record<string, unknown>; additionalProperties: boolean };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['server', 'components', 'scrape', 'rules', 'staleness', 'limits', 'auth']));
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('redis.sentinels (issue 12 §5)', () => {
  it('sentinels and a master name become the one Redis string every connection is made from', () => {
    const c = parseConfig('warden.yaml', 'redis: {sentinels: ["10.0.0.1:26379", "s2.example:26380"], name: orders-primary}\n');
    expect(c.redis.url).toBe('redis+sentinel://10.0.0.1:26379,s2.example:26380/orders-primary');
  });

  it.each([
    ['redis: {url: "redis://h:1", sentinels: ["h:26379"], name: m}\n', 'redis.sentinels', /either url or sentinels/],
    ['redis: {sentinels: ["h:26379"]}\n', 'redis.name', /master group name/],
    ['redis: {name: m}\n', 'redis.name', /needs redis.sentinels/],
    ['redis: {sentinels: ["h"], name: m}\n', 'redis.sentinels[0]', /host:port/],
    ['redis: {sentinels: [], name: m}\n', 'redis.sentinels', /.+/],
    ['redis: {sentinels: ["h:1"], name: "a b"}\n', 'redis.name', /Sentinel master name/],
    ['redis: {url: "http://h:1"}\n', 'redis.url', /redis\+sentinel/],
  ])('%s is refused, naming the field', (text, field, message) => {
    expectConfigError(text, { line: 1, field, message });
  });
});
