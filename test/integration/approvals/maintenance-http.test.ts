import { parseConfig } from '../../../src/config/load-config';
import { FakeSlack } from '../../support/fake-slack';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { ALICE, PUSHER, READER, RestartRecorder, auditOf, sleep, stepsOf, waitFor } from './approval-fixture';

/**
 * Issue 13 §3 through a real Warden with real Redis: maintenance windows from warden.yaml and
 * POST /v1/maintenance mute matching alerts (recorded, not notified) and hold matching remediations;
 * when a window ends, what still fires notifies once and held jobs re-check their alert, then act or
 * skip. halt_trading is never held. Bad input is a 400 naming the field and changes nothing.
 */
const RULES = `groups:
  - name: m
    rules:
      - {alert: ComponentDown, expr: component_up == 0, labels: {severity: P1}, annotations: {summary: "{{ $labels.component }} is down"}}
      - {alert: InvariantViolation, expr: invariant_violations > 0, labels: {severity: P0}, annotations: {summary: "invariant violated on {{ $labels.component }}"}}
remediations:
  - name: restart-down
    on: {alert: ComponentDown}
    action: restart
    target: "{{ $labels.component }}"
    params: {driver: http, url: "/control/restart/{{target}}"}
    cooldown: 0s
  - name: halt
    on: {alert: InvariantViolation}
    action: halt_trading
    target: exchange
`;

let redis: TestRedis;
let slack: FakeSlack;
let recorder: RestartRecorder;
let h: WardenHarness;

function config(): string {
  return `components: [{name: settlement}, {name: database}, {name: reporting}, {name: market-data}, {name: order-gateway}]
auth:
  tokens:
    - {name: alice, token: ${ALICE}, scopes: [operate]}
    - {name: reader, token: ${READER}, scopes: [read]}
    - {name: pusher, token: ${PUSHER}, scopes: [ingest]}
rules: [m.rules.yaml]
evaluation_interval: 200ms
exchange: {admin_url: "${recorder.url}"}
remediation:
  settle: 0s
  executors:
    restart: {http_base_url: "${recorder.url}"}
notify:
  receivers:
    - name: team
      slack_configs: [{token: xoxb-test-token, channel: "#alerts", api_url: "${slack.apiUrl}"}]
  route: {receiver: team, group_by: [alertname, component], group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
maintenance:
  - name: reporting-always
    matchers: ['component="reporting"']
    time_intervals: [{times: [{start_time: "00:00", end_time: "24:00"}], location: Europe/London}]
    comment: reporting is being rebuilt
`;
}

const start = () => startHarness({ config: config(), files: { 'm.rules.yaml': RULES }, redis });

beforeAll(async () => {
  redis = await startRedis();
  slack = await FakeSlack.start();
  recorder = await RestartRecorder.start();
  h = await start();
});
afterAll(async () => {
  await h?.stop();
  await Promise.all([slack?.stop(), recorder?.stop()]);
  await redis?.stop();
});

let ts = 0;
async function push(name: string, component: string, value: number): Promise<void> {
  ts = Math.max(ts + 1, Date.now());
  const res = await h.push([{ name, labels: { component }, value, timestamp: ts }], PUSHER);
  if (res.status !== 200) throw new Error(`push answered ${res.status}`);
}
const windows = async () => (await h.request('GET', '/v1/maintenance', { token: READER })).body.windows as any[];
const jobFor = async (target: string, rule = 'restart-down') => ((await h.request('GET', '/v1/remediations', { token: READER })).body.remediations as any[]).find((j) => j.target === target && j.rule === rule);
const slackAbout = (component: string) => slack.messages.filter((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(`${component} is down`));
const future = (ms: number) => new Date(Date.now() + ms).toISOString();
const matcher = (name: string, value: string, isRegex = false) => ({ name, value, isRegex, isEqual: true });

describe('bad requests change nothing', () => {
  const ok = { name: 'w', matchers: [matcher('component', 'settlement')], endsAt: future(3_600_000), comment: 'db patching' };
  it.each([
    ['no matchers', 'matchers', { ...ok, matchers: [] }],
    ['a bad regex', 'matchers.0.value', { ...ok, matchers: [matcher('component', '(', true)] }],
    ['a matcher string that matches everything', 'matchers', { ...ok, matchers: ['component=~".*"'] }],
    ['neither end nor recurrence', 'endsAt', { name: 'w', matchers: ok.matchers, comment: 'x' }],
    ['end before start', 'endsAt', { ...ok, startsAt: future(7_200_000) }],
    ['end in the past', 'endsAt', { ...ok, endsAt: new Date(Date.now() - 1000).toISOString() }],
    ['a time that is no ISO time', 'endsAt', { ...ok, endsAt: 'tomorrow' }],
    ['a weekday that is none', 'timeIntervals.0.weekdays.1', { ...ok, endsAt: undefined, timeIntervals: [{ weekdays: ['monday', 'funday'] }] }],
    ['an end_time before start_time', 'timeIntervals.0.times.0.endTime', { ...ok, timeIntervals: [{ times: [{ startTime: '10:00', endTime: '09:00' }] }] }],
    ['an unknown time zone', 'timeIntervals.0.location', { ...ok, timeIntervals: [{ location: 'Nowhere/Land' }] }],
    ['a snake_case key in JSON', 'timeIntervals.0.days_of_month', { ...ok, timeIntervals: [{ days_of_month: ['1'] }] }],
    ['an unknown field', 'force', { ...ok, force: true }],
    ['no comment', 'comment', { ...ok, comment: undefined }],
  ] as Array<[string, string, Record<string, unknown>]>)('%s: 400 naming %s', async (_what, field, body) => {
    const before = await windows();
    const res = await h.request('POST', '/v1/maintenance', { token: ALICE, body });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(await windows()).toEqual(before);
  });

  it('malformed JSON is a 400; no token 401; a read token may list but not change', async () => {
    expect((await h.request('POST', '/v1/maintenance', { token: ALICE, rawBody: '{"name":', contentType: 'application/json' })).status).toBe(400);
    expect((await h.request('POST', '/v1/maintenance', { body: {} })).status).toBe(401);
    expect((await h.request('POST', '/v1/maintenance', { token: READER, body: {} })).status).toBe(403);
    expect((await h.request('DELETE', '/v1/maintenance/config:reporting-always', { token: READER })).status).toBe(403);
    expect((await h.request('GET', '/v1/maintenance?status=soon', { token: READER })).body.error.field).toBe('status');
    expect(await auditOf(h, (e) => e.action === 'maintenance.create')).toEqual([]);
  });

  it('a bad window in warden.yaml stops the load, naming file, line and field', () => {
    const yaml = `maintenance:\n  - name: w\n    matchers: ['component="db"']\n    time_intervals:\n      - weekdays: [funday]\n`;
    expect(() => parseConfig('/etc/warden/warden.yaml', yaml)).toThrow(/warden\.yaml:5:\d+: .*maintenance\[0\]\.time_intervals\[0\]\.weekdays\[0\].*"funday" is not a weekday/);
    expect(() => parseConfig('/etc/warden/warden.yaml', 'maintenance:\n  - {name: w, matchers: [\'a="b"\']}\n')).toThrow(/ends_at.*needs ends_at or time_intervals/);
  });
});

describe('a window from warden.yaml', () => {
  it('is listed, active, recurring, and cannot be deleted through the API', async () => {
    const w = (await windows()).find((x) => x.id === 'config:reporting-always');
    expect(w).toMatchObject({ name: 'reporting-always', source: 'config', status: 'active', comment: 'reporting is being rebuilt', timeIntervals: [{ times: [{ startTime: '00:00', endTime: '24:00' }], location: 'Europe/London' }] });
    expect(await h.request('DELETE', '/v1/maintenance/config:reporting-always', { token: ALICE })).toMatchObject({ status: 409, body: { error: { code: 'defined_in_config' } } });
    expect((await h.request('DELETE', '/v1/maintenance/nope', { token: ALICE })).status).toBe(404);
  });

  it('holds a matching repair and mutes its alert', async () => {
    await push('component_up', 'reporting', 0);
    const job = await waitFor('held', async () => ((await jobFor('reporting'))?.state === 'held' ? jobFor('reporting') : undefined));
    expect(job.heldSince).toEqual(expect.any(String));
    const inc = await waitFor('the incident', async () => ((await h.request('GET', '/v1/incidents', { token: READER })).body.incidents as any[]).find((i) => i.labels.component === 'reporting'));
    await waitFor('muted', async () => ((await h.request('GET', `/v1/incidents/${inc.id}`, { token: READER })).body.mutedBy ?? '').includes('maintenance window "reporting-always"'));
    expect(slackAbout('reporting')).toEqual([]);
    expect(recorder.of('reporting')).toEqual([]);
  });
});

describe('a window opened and ended through the API', () => {
  let id: string;

  it('opens: 201 with the window, audited with the operator', async () => {
    const res = await h.request('POST', '/v1/maintenance', { token: ALICE, body: { name: 'db patching', matchers: ['component=~"settlement|database"'], endsAt: future(3_600_000), comment: 'kernel update' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'db patching', source: 'api', status: 'active', createdBy: 'alice', matchers: [{ name: 'component', value: 'settlement|database', isRegex: true, isEqual: true }], activeUntil: res.body.endsAt });
    id = res.body.id;
    expect((await h.request('GET', `/v1/maintenance/${id}`, { token: READER })).body.id).toBe(id);
    expect((await auditOf(h, (e) => e.action === 'maintenance.create'))[0]).toMatchObject({ actor: 'alice', target: `maintenance/${id}`, details: { name: 'db patching', comment: 'kernel update' } });
    await waitFor('started audited', async () => (await auditOf(h, (e) => e.action === 'maintenance.started' && e.target === `maintenance/${id}`)).length === 1);
  });

  it('during it: alerts are recorded, not notified; repairs are held; a halt is not', async () => {
    await push('component_up', 'settlement', 0);
    await push('component_up', 'database', 0);
    const held = await waitFor('both held', async () => {
      const [s, d] = [await jobFor('settlement'), await jobFor('database')];
      return s?.state === 'held' && d?.state === 'held' ? [s, d] : undefined;
    });
    expect(await stepsOf(h, held[0].id)).toEqual(['matched', 'enqueued', 'held']);
    // database recovers while held: its job must skip once the window ends.
    await push('component_up', 'database', 1);
    await push('invariant_violations', 'settlement', 1);
    await waitFor('the halt, at once', () => recorder.others.some((o) => o.path === '/trading/halt'));
    await sleep(1500);
    expect(slackAbout('settlement')).toEqual([]);
    expect(slack.messages.filter((m) => JSON.stringify(m.blocks ?? []).includes('invariant violated'))).toEqual([]);
    expect(recorder.of('settlement')).toEqual([]);
  });

  it('ends (DELETE): what still fires notifies once; held jobs re-check: the firing one acts, the cleared one skips', async () => {
    const res = await h.request('DELETE', `/v1/maintenance/${id}`, { token: ALICE });
    expect(res).toMatchObject({ status: 200, body: { id, status: 'ended', endedBy: 'alice' } });
    await waitFor('settlement restarted', () => recorder.of('settlement').length === 1);
    const db = await waitFor('database job done', async () => ((await jobFor('database'))?.state === 'completed' ? jobFor('database') : undefined));
    expect(db.result).toMatchObject({ outcome: 'skipped', reason: 'alert_resolved' });
    expect(recorder.of('database')).toEqual([]);
    await waitFor('one Slack trigger for settlement', () => slackAbout('settlement').length === 1);
    await sleep(2500); // two group_intervals: no repeat of the same alerts
    expect(slackAbout('settlement')).toHaveLength(1);
    const s = await jobFor('settlement');
    expect(await stepsOf(h, s.id)).toEqual(['matched', 'enqueued', 'held', 'released', 'attempt', 'success']);
    expect((await auditOf(h, (e) => e.action === 'maintenance.ended' && e.target === `maintenance/${id}`))).toHaveLength(1);
    // Ending it again changes nothing (and audits nothing).
    expect((await h.request('DELETE', `/v1/maintenance/${id}`, { token: ALICE })).status).toBe(200);
    expect(await auditOf(h, (e) => e.action === 'maintenance.end')).toHaveLength(1);
  });

  it('a window that ends by its time releases what it held', async () => {
    await h.request('POST', '/v1/maintenance', { token: ALICE, body: { name: 'short', matchers: ['component="market-data"'], endsAt: future(3000), comment: 'three seconds' } });
    await push('component_up', 'market-data', 0);
    await waitFor('held', async () => (await jobFor('market-data'))?.state === 'held');
    expect(slackAbout('market-data')).toEqual([]);
    await waitFor('restarted after the end', () => recorder.of('market-data').length === 1, 20_000);
    await waitFor('notified once', () => slackAbout('market-data').length === 1);
  });
});

describe('durable', () => {
  it('windows and held jobs survive a restart of Warden', async () => {
    const res = await h.request('POST', '/v1/maintenance', { token: ALICE, body: { name: 'gateway', matchers: ['component="order-gateway"'], timeIntervals: [{ weekdays: ['sunday:saturday'] }], comment: 'all week' } });
    expect(res.status).toBe(201);
    await push('component_up', 'order-gateway', 0);
    await waitFor('held', async () => (await jobFor('order-gateway'))?.state === 'held');
    await h.stop();
    h = await start();
    const w = (await windows()).find((x) => x.id === res.body.id);
    expect(w).toMatchObject({ name: 'gateway', status: 'active', timeIntervals: [{ weekdays: ['sunday:saturday'] }] });
    await push('component_up', 'order-gateway', 0);
    await sleep(1500);
    expect((await jobFor('order-gateway'))?.state).toBe('held');
    expect((await jobFor('reporting'))?.state).toBe('held');
    expect(recorder.of('order-gateway')).toEqual([]);
    expect(await auditOf(h, (e) => e.action === 'maintenance.started' && e.target === `maintenance/${res.body.id}`)).toHaveLength(1);
  });
});
