import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { eventually } from '../../support/estate-tools';

const INGEST = 'ingest-token-0123456789';
const READ = 'read-token-0123456789abc';
const CONFIG = `
auth:
  tokens:
    - {name: prometheus, token: ${INGEST}, scopes: [ingest]}
    - {name: grafana, token: ${READ}, scopes: [read]}
components:
  - {name: settlement, critical: false}
limits: {max_body: 4KiB}
alertmanager: {resolve_timeout: 2s, max_alerts: 3}
notify:
  route: {group_wait: 0s, group_by: ['...']}
`;

describe('POST /api/v2/alerts', () => {
  let redis: TestRedis;
  let h: WardenHarness;
  beforeAll(async () => {
    redis = await startRedis();
    h = await startHarness({ config: CONFIG, redis });
  });
  afterAll(async () => {
    await h?.stop();
    await redis?.stop();
  });
  const post = (body: unknown, token = INGEST) => h.request('POST', '/api/v2/alerts', { body, token });
  const listed = async () => (await h.request('GET', '/api/v2/alerts', { token: READ })).body as Array<Record<string, any>>;
  const incidents = async () => (await h.request('GET', '/v1/incidents', { token: READ })).body.incidents as Array<Record<string, any>>;
  const valid = { labels: { alertname: 'SettlementSlow', component: 'settlement', health: 'yellow' } };

  test.each([
    ['an object, not an array', { labels: { a: 'b' } }, 'body must be a JSON array of alerts (postableAlerts)'],
    ['an alert without labels', [valid, { annotations: {} }], 'alert 1: labels must be an object of strings'],
    ['an alert with no label pair', [valid, { labels: {} }], 'alert 1: at least one label pair required'],
    ['an invalid label name', [valid, { labels: { 'bad-name': 'x' } }], 'alert 1: invalid label set: invalid name "bad-name"'],
    ['a label that is not a string', [valid, { labels: { a: 1 } }], 'alert 1: labels.a must be a string'],
    ['an unknown field', [valid, { labels: { a: 'b' }, endAt: '2026-01-01T00:00:00Z' }], 'alert 1: unknown field "endAt"'],
    ['endsAt before startsAt', [valid, { labels: { a: 'b' }, startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' }], 'alert 1: start time must be before end time'],
    ['a date that is not RFC 3339', [valid, { labels: { a: 'b' }, startsAt: 'yesterday' }], 'alert 1: startsAt must be an RFC 3339 date-time'],
    ['more labels than limits.max_labels', [valid, { labels: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`l${i}`, 'v'])) }], 'alert 1: more than 32 labels'],
  ])('%s: 400 with Alertmanager\'s string body, nothing applied', async (_what, body, message) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.body).toBe(message);
    expect(await listed()).toEqual([]);
    expect(await incidents()).toEqual([]);
  });

  test('malformed JSON and an oversized body are refused whole', async () => {
    const bad = await h.request('POST', '/api/v2/alerts', { rawBody: '[{"labels":', token: INGEST });
    expect(bad.status).toBe(400);
    expect(typeof bad.body).toBe('string');
    const big = await post([{ labels: { alertname: 'Big' }, annotations: { text: 'x'.repeat(5000) } }]);
    expect(big.status).toBe(413);
    expect(await listed()).toEqual([]);
  });

  test('the ingest scope is needed to post, read to list', async () => {
    expect((await post([valid], READ)).status).toBe(403);
    expect((await h.request('POST', '/api/v2/alerts', { body: [valid] })).status).toBe(401);
    expect((await h.request('GET', '/api/v2/alerts', { token: INGEST })).status).toBe(403);
    expect(await listed()).toEqual([]);
  });

  test('an alert that arrives already resolved opens nothing', async () => {
    const r = await post([{ labels: { alertname: 'Old' }, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-01-01T00:05:00Z' }]);
    expect(r.status).toBe(200);
    expect(await listed()).toEqual([]);
    expect(await incidents()).toEqual([]);
  });

  test('a batch past alertmanager.max_alerts is refused whole (429), what is held keeps working', async () => {
    const r = await post([1, 2, 3, 4].map((i) => ({ labels: { alertname: `Many${i}` } })));
    expect(r.status).toBe(429);
    expect(r.body).toMatch(/over alertmanager.max_alerts \(3\)/);
    expect(await listed()).toEqual([]);
  });

  test('re-sends are one alert and one incident; without endsAt it resolves resolve_timeout after the last post; health follows', async () => {
    const startsAt = new Date(Date.now() - 30_000).toISOString();
    for (let i = 0; i < 3; i++) expect((await post([{ ...valid, startsAt, annotations: { summary: `slow ${i}` } }])).status).toBe(200);
    const alerts = await listed();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ startsAt, annotations: { summary: 'slow 2' }, status: { state: 'active', silencedBy: [], inhibitedBy: [] }, receivers: [{ name: 'warden-dashboard' }] });
    expect(Date.parse(alerts[0]?.endsAt) - Date.parse(alerts[0]?.updatedAt)).toBe(2000);
    const open = await incidents();
    expect(open).toHaveLength(1);
    const health = await h.request('GET', '/v1/health/settlement', { token: READ });
    expect(health.body.status).toBe('yellow');
    expect(health.body.reasons.map((r: { kind: string }) => r.kind)).toContain('alert');
    const resolved = await eventually(async () => {
      const r = await h.request('GET', `/v1/incidents/${open[0]?.id}`, { token: READ });
      return r.body.status === 'resolved' ? r.body : undefined;
    }, 10_000, 'the incident to resolve at resolve_timeout');
    expect(resolved.timeline.map((e: { kind: string }) => e.kind)).toContain('resolved');
    expect(await listed()).toEqual([]);
  });

  test('alerts held before a restart come back with their startsAt; a sent endsAt resolves them', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const endsAt = new Date(Date.now() + 60_000).toISOString();
    expect((await post([{ labels: { alertname: 'HeldOver', severity: 'P2' }, startsAt, endsAt }])).status).toBe(200);
    const before = await incidents();
    await h.stop();
    h = await startHarness({ config: CONFIG, redis });
    const alerts = await listed();
    expect(alerts.map((a) => [a.labels.alertname, a.startsAt, a.endsAt])).toEqual([['HeldOver', startsAt, endsAt]]);
    const open = (await incidents()).filter((i) => i.status !== 'resolved');
    expect(open.map((i) => i.id)).toEqual(before.filter((i) => i.status !== 'resolved').map((i) => i.id));
    expect((await post([{ labels: { alertname: 'HeldOver', severity: 'P2' }, startsAt, endsAt: new Date().toISOString() }])).status).toBe(200);
    expect(await listed()).toEqual([]);
    await eventually(async () => ((await incidents()).every((i) => i.status === 'resolved') ? true : undefined), 5000, 'incidents resolved');
  });
});
