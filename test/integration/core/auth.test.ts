import { createHash } from 'node:crypto';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

const TOKENS = { ingest: 'ingest-token-0123456789', read: 'read-token-0123456789ab', operate: 'operate-token-0123456789', admin: 'admin-token-0123456789ab' };
const CONFIG = `
components: [{name: database, critical: true}]
auth:
  tokens:
    - {name: pusher, token: ${TOKENS.ingest}, scopes: [ingest]}
    - {name: viewer, token: ${TOKENS.read}, scopes: [read]}
    - {name: oncall, token: ${TOKENS.operate}, scopes: [operate]}
    - {name: root, token: ${TOKENS.admin}, scopes: [admin]}
`;
const sample = { samples: [{ name: 'up', value: 1 }] };

let h: WardenHarness;
beforeAll(async () => {
  h = await startHarness({ config: CONFIG });
});
afterAll(() => h?.stop());

describe('bearer tokens and scopes', () => {
  it('401 without a token or with a wrong one, as JSON', async () => {
    for (const token of [undefined, 'wrong-token-0123456789']) {
      const res = await h.request('GET', '/v1/health', { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid bearer token' } });
    }
  });

  it('403 when the token lacks the scope', async () => {
    const res = await h.request('POST', '/v1/samples', { body: sample, token: TOKENS.read });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'forbidden', message: 'this token lacks the "ingest" scope' });
    expect((await h.request('GET', '/v1/health', { token: TOKENS.ingest })).status).toBe(403);
    expect((await h.request('POST', '/v1/rules/reload', { token: TOKENS.read })).status).toBe(403);
  });

  it('grants each scope its routes; operate implies read; admin implies all', async () => {
    expect((await h.request('POST', '/v1/samples', { body: sample, token: TOKENS.ingest })).status).toBe(200);
    expect((await h.request('GET', '/v1/health', { token: TOKENS.read })).status).toBe(200);
    expect((await h.request('GET', '/v1/health', { token: TOKENS.operate })).status).toBe(200);
    expect((await h.request('POST', '/v1/rules/reload', { token: TOKENS.operate })).status).toBe(200);
    expect((await h.request('POST', '/v1/samples', { body: sample, token: TOKENS.admin })).status).toBe(200);
  });

  it('rejects before reading the body: an unauthenticated push changes nothing', async () => {
    const res = await h.request('POST', '/v1/samples', { body: { samples: [{ name: 'component_up', labels: { component: 'database' }, value: 0 }] } });
    expect(res.status).toBe(401);
    expect(h.warden.store.seriesCount).toBeGreaterThan(0);
    expect([...h.warden.store.seriesOf('component_up')]).toHaveLength(0);
  });

  it('a 403 names the missing scope only: neither the token nor its name', async () => {
    for (const [token, name, path, method] of [[TOKENS.read, 'viewer', '/v1/samples', 'POST'], [TOKENS.ingest, 'pusher', '/v1/health', 'GET']] as const) {
      const res = await h.request(method, path, { body: method === 'POST' ? sample : undefined, token });
      expect(res.status).toBe(403);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(token);
      expect(text).not.toContain(name);
    }
  });

  it('binds 127.0.0.1 with tokens too, while server.host is not set', () => {
    expect(h.warden.host).toBe('127.0.0.1');
    expect(h.warden.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('leaves /metrics open by default (server.metrics_auth: false)', async () => {
    expect((await h.request('GET', '/metrics')).status).toBe(200);
  });
});

describe('server.host and server.metrics_auth', () => {
  it('binds server.host when tokens are configured; /metrics wants a read token under metrics_auth', async () => {
    const guarded = await startHarness({ config: `server: {host: 0.0.0.0, metrics_auth: true}\nauth:\n  tokens:\n    - {name: viewer, token: ${TOKENS.read}, scopes: [read]}\n    - {name: pusher, token: ${TOKENS.ingest}, scopes: [ingest]}\n` });
    try {
      expect(guarded.warden.host).toBe('0.0.0.0');
      const anonymous = await guarded.request('GET', '/metrics');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid bearer token' } });
      expect((await guarded.request('GET', '/metrics', { token: TOKENS.ingest })).status).toBe(403);
      const scraped = await guarded.request('GET', '/metrics', { token: TOKENS.read });
      expect(scraped.status).toBe(200);
      expect(scraped.body).toContain('warden_samples_accepted_total');
      expect((await guarded.request('GET', '/healthz')).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });
});

describe('tokens from token_file, token_env and token_sha256', () => {
  it('each source authenticates its token with its scopes; only the secret is compared', async () => {
    const secrets = { file: 'file-token-0123456789ab', env: 'env-token-0123456789abc', hashed: 'hashed-token-0123456789' };
    process.env.WARDEN_AUTH_TEST_TOKEN = secrets.env;
    const digest = createHash('sha256').update(secrets.hashed).digest('hex');
    const t = await startHarness({
      config: `auth:\n  tokens:\n    - {name: pusher, token_file: pusher.token, scopes: [ingest]}\n    - {name: viewer, token_env: WARDEN_AUTH_TEST_TOKEN, scopes: [read]}\n    - {name: oncall, token_sha256: ${digest}, scopes: [operate]}\n`,
      files: { 'pusher.token': `${secrets.file}\n` },
    });
    try {
      expect((await t.request('POST', '/v1/samples', { body: sample, token: secrets.file })).status).toBe(200);
      expect((await t.request('GET', '/v1/health', { token: secrets.env })).status).toBe(200);
      expect((await t.request('POST', '/v1/rules/reload', { token: secrets.hashed })).status).toBe(200);
      expect((await t.request('GET', '/v1/health', { token: digest })).status).toBe(401);
      expect((await t.request('GET', '/v1/health', { token: secrets.file })).status).toBe(403);
    } finally {
      delete process.env.WARDEN_AUTH_TEST_TOKEN;
      await t.stop();
    }
  });
});

describe('without tokens', () => {
  it('binds 127.0.0.1 only and asks for no token', async () => {
    const open = await startHarness({ config: 'components: []\n' });
    try {
      expect(open.warden.host).toBe('127.0.0.1');
      expect((await open.request('GET', '/v1/health')).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
