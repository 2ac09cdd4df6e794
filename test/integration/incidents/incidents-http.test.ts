import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { AuditLog } from '../../../src/audit/audit-log';
import { createApp } from '../../../src/http/app';
import { Authenticator } from '../../../src/http/auth';
import { channelRoutes } from '../../../src/http/routes/channels';
import { incidentRoutes } from '../../../src/http/routes/incidents';
import { silenceRoutes } from '../../../src/http/routes/silences';
import type { IncidentService } from '../../../src/incidents/incident-service';
import { silentLogger } from '../../../src/telemetry/logger';
import { Channels, alert, drained } from './incident-fixture';

const READER = 'reader-token-0123456789';
const OPERATOR = 'operator-token-0123456789';

describe('incidents, silences and channels over HTTP', () => {
  let ch: Channels;
  let service: IncidentService;
  let server: Server;
  let base: string;
  let registry: Registry;
  let audit: AuditLog;

  beforeEach(async () => {
    ch = await Channels.start();
    registry = new Registry();
    audit = new AuditLog({ redis: ch.redis.client(), prefix: 'test', clock: () => ch.clock.now });
    const notifiers = ch.notifiers();
    service = ch.service({ registry, audit, notifiers });
    await service.start();
    const auth = new Authenticator([{ name: 'dashboard', token: READER, scopes: ['read'] }, { name: 'alice', token: OPERATOR, scopes: ['operate'] }]);
    const app = createApp({
      log: silentLogger(), registry, ready: () => ({ ready: true, checks: {} }),
      routers: [incidentRoutes({ auth, incidents: service, maxAlerts: 100 }), silenceRoutes({ auth, incidents: service, clock: () => ch.clock.now }), channelRoutes({ auth, breakers: ch.breakers, notifiers })],
    });
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await service.stop();
    await ch.stop();
  });

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('lists and shows incidents, filters by status and severity, and rejects bad filters', async () => {
    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await service.onAlert(alert('CacheCold', { severity: 'P3', component: 'cache' }, 'firing', ch.clock.now));
    const all = await call('GET', '/v1/incidents', READER);
    expect(all.status).toBe(200);
    expect(all.body.incidents).toHaveLength(2);
    const p0 = await call('GET', '/v1/incidents?severity=P0&status=triggered', READER);
    expect(p0.body.incidents).toHaveLength(1);
    const one = await call('GET', `/v1/incidents/${p0.body.incidents[0].id}`, READER);
    expect(one.body).toMatchObject({ severity: 'P0', status: 'triggered', labels: { alertname: 'MatchingEngineDown', component: 'matching' } });
    expect(one.body.timeline[0]).toMatchObject({ kind: 'triggered' });
    expect(await call('GET', '/v1/incidents?severity=P9', READER)).toEqual({ status: 400, body: { error: { code: 'invalid_query', message: expect.stringMatching(/severity must be one of/), field: 'severity' } } });
    expect((await call('GET', '/v1/incidents/inc_nope', READER)).status).toBe(404);
  });

  it('acknowledges with operate scope: the principal is the actor, PagerDuty hears it, the audit log records it', async () => {
    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await drained(service);
    const [inc] = service.openIncidents();
    expect((await call('POST', `/v1/incidents/${inc!.id}/ack`, READER, { reason: 'x' })).status).toBe(403);
    expect(await call('POST', `/v1/incidents/${inc!.id}/ack`, OPERATOR, {})).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', field: 'reason' } } });
    const acked = await call('POST', `/v1/incidents/${inc!.id}/ack`, OPERATOR, { reason: 'failing over' });
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice', ackReason: 'failing over' });
    await drained(service);
    expect(ch.pd.accepted.map((e) => e.body.event_action)).toEqual(['trigger', 'acknowledge']);
    const entries = await audit.list({ limit: 100 });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['incident.trigger', 'incident.acknowledge']));
    expect(entries.find((e) => e.action === 'incident.acknowledge')).toMatchObject({ actor: 'alice', target: `incident/${inc!.id}` });
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/warden_incidents\{severity="P0",status="acknowledged"\} 1/);

    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'inactive', ch.clock.now + 1));
    expect(await call('POST', `/v1/incidents/${inc!.id}/ack`, OPERATOR, { reason: 'late' })).toMatchObject({ status: 409, body: { error: { code: 'already_resolved' } } });
  });

  it('creates, lists and expires silences in Alertmanager\'s shape, and rejects bad ones with a 400', async () => {
    const startsAt = new Date(ch.clock.now).toISOString();
    const endsAt = new Date(ch.clock.now + 3_600_000).toISOString();
    const matchers = [{ name: 'component', value: 'matching', isRegex: false, isEqual: true }];
    expect((await call('POST', '/v1/silences', READER, { matchers, startsAt, endsAt, comment: 'deploy' })).status).toBe(403);
    expect(await call('POST', '/v1/silences', OPERATOR, { matchers: [], startsAt, endsAt, comment: 'x' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_silence', field: 'matchers' } } });
    expect(await call('POST', '/v1/silences', OPERATOR, { matchers, startsAt: endsAt, endsAt: startsAt, comment: 'x' })).toMatchObject({ status: 400, body: { error: { field: 'endsAt' } } });
    expect(await call('POST', '/v1/silences', OPERATOR, { matchers: [{ name: 'x', value: '(', isRegex: true }], startsAt, endsAt, comment: 'x' })).toMatchObject({ status: 400, body: { error: { field: 'matchers.0.value', index: 0 } } });
    expect(await call('POST', '/v1/silences', OPERATOR, { matchers: [{ name: 'x', value: '.*', isRegex: true }], startsAt, endsAt, comment: 'x' })).toMatchObject({ status: 400, body: { error: { message: /empty string/ } } });
    expect((await call('GET', '/v1/silences', READER)).body).toEqual([]);

    const created = await call('POST', '/v1/silences', OPERATOR, { matchers, startsAt, endsAt, comment: 'deploy' });
    expect(created.status).toBe(200);
    const id = created.body.silenceID as string;
    const listed = await call('GET', '/v1/silences', READER);
    expect(listed.body).toEqual([expect.objectContaining({ id, createdBy: 'alice', comment: 'deploy', status: { state: 'active' }, matchers })]);
    expect((await registry.metrics())).toMatch(/warden_silences_active 1/);

    const expired = await call('DELETE', `/v1/silences/${id}`, OPERATOR);
    expect(expired.body.status).toEqual({ state: 'expired' });
    expect((await call('DELETE', `/v1/silences/${id}`, OPERATOR)).status).toBe(400);
    expect((await call('DELETE', '/v1/silences/nope', OPERATOR)).status).toBe(404);
    const actions = (await audit.list({ limit: 100 })).map((e) => e.action);
    expect(actions).toEqual(['silence.create', 'silence.expire']);
  });

  it('shows each channel\'s breaker state', async () => {
    const res = await call('GET', '/v1/channels', READER);
    expect(res.body.channels.map((c: any) => [c.channel, c.breaker?.state ?? null, c.receivers])).toEqual([
      ['pagerduty', 'closed', ['oncall']],
      ['slack', 'closed', ['oncall']],
      ['email', 'closed', ['oncall']],
      ['webhook', null, []], // this test's fixture builds breakers only for the channels it uses
    ]);
  });
});
