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
    expect(res.body.error).toEqual({ code: 'forbidden', message: 'token "viewer" lacks the "ingest" scope' });
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

  it('binds all interfaces only when tokens are configured', () => {
    expect(h.warden.host).toBe('0.0.0.0');
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
