import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { requireTool, run } from '../../support/estate-tools';

const amtool = requireTool('amtool', 'prometheus-alertmanager');
const d = amtool ? describe : describe.skip;

const INGEST = 'ingest-token-0123456789';
const OPERATE = 'operate-token-0123456789';
const READ = 'read-token-0123456789abc';
const CONFIG = `
auth:
  tokens:
    - {name: prometheus, token: ${INGEST}, scopes: [ingest]}
    - {name: oncall, token: ${OPERATE}, scopes: [operate]}
    - {name: grafana, token: ${READ}, scopes: [read]}
components:
  - {name: matching, critical: true}
notify:
  receivers:
    - name: oncall-pager
      pagerduty_configs: [{routing_key: rk-secret-123, url: "https://127.0.0.1:1"}]
  route:
    receiver: oncall-pager
    group_by: [alertname, component]
    group_wait: 1h
    routes:
      - {matchers: ['severity="P3"'], receiver: oncall-pager, group_wait: 2h}
  inhibit_rules:
    - {source_matchers: ['alertname="MatchingDown"'], target_matchers: ['alertname="MatchingSlow"'], equal: [component]}
`;

d('amtool against Warden (Alertmanager API v2)', () => {
  let h: WardenHarness;
  let dir: string;
  let http: string;
  // amtool warns (stderr, exit 0) that Warden's version is not its own; everything else on stderr is a failure.
  const am = async (args: string[], httpConfig = http) => {
    const r = await run(amtool as string, [`--alertmanager.url=${h.url}`, `--http.config.file=${httpConfig}`, ...args]);
    return { ...r, stderr: r.stderr.replace(/^Warning: amtool version \(\S+\) and alertmanager version \(\S+\) are different\.\n/, '') };
  };

  beforeAll(async () => {
    h = await startHarness({ config: CONFIG });
    dir = mkdtempSync(join(tmpdir(), 'warden-amtool-'));
    http = join(dir, 'http.yml');
    writeFileSync(http, `authorization:\n  type: Bearer\n  credentials: ${OPERATE}\n`);
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (alerts: unknown, token = INGEST) => h.request('POST', '/api/v2/alerts', { body: alerts, token });

  test('posted alerts are listed by amtool alert query, with receivers and inhibition', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const r = await post([
      { labels: { alertname: 'MatchingDown', component: 'matching', severity: 'P1', health: 'red' }, annotations: { summary: 'matching engine down' }, startsAt, generatorURL: 'http://prom:9090/graph' },
      { labels: { alertname: 'MatchingSlow', component: 'matching', severity: 'P2' }, annotations: { summary: 'slow' } },
    ]);
    expect(r.status).toBe(200);
    // -a -i -s: active, inhibited and silenced alerts (amtool shows only unmuted ones by default).
    const q = await am(['alert', 'query', '-o', 'json', '-a', '-i', '-s']);
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    const alerts = JSON.parse(q.stdout) as Array<Record<string, any>>;
    expect(alerts.map((a) => a.labels.alertname).sort()).toEqual(['MatchingDown', 'MatchingSlow']);
    const down = alerts.find((a) => a.labels.alertname === 'MatchingDown') as Record<string, any>;
    const slow = alerts.find((a) => a.labels.alertname === 'MatchingSlow') as Record<string, any>;
    expect(down.startsAt).toBe(startsAt);
    expect(down.receivers).toEqual([{ name: 'oncall-pager' }]);
    expect(down.status).toEqual({ state: 'active', silencedBy: [], inhibitedBy: [] });
    expect(down.generatorURL).toBe('http://prom:9090/graph');
    expect(slow.status).toEqual({ state: 'suppressed', silencedBy: [], inhibitedBy: [down.fingerprint] });
    // amtool's own matcher filter (sent as ?filter=).
    const only = await am(['alert', 'query', '-o', 'json', '-i', 'alertname=MatchingSlow']);
    expect((JSON.parse(only.stdout) as unknown[]).length).toBe(1);
    const active = await am(['alert', 'query', '-o', 'json']);
    expect((JSON.parse(active.stdout) as Array<{ labels: Record<string, string> }>).map((a) => a.labels.alertname)).toEqual(['MatchingDown']);
  });

  test('amtool silence add, query and expire: the silence mutes the posted alert', async () => {
    const add = await am(['silence', 'add', 'alertname=MatchingDown', '-c', 'maintenance window', '-d', '1h', '-a', 'alice']);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const q = await am(['silence', 'query', '-o', 'json']);
    const silences = JSON.parse(q.stdout) as Array<Record<string, any>>;
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ id, createdBy: 'alice', comment: 'maintenance window', status: { state: 'active' }, matchers: [{ name: 'alertname', value: 'MatchingDown', isRegex: false, isEqual: true }] });
    const quiet = await am(['silence', 'query', '-q', 'alertname=MatchingDown']);
    expect(quiet.stdout.trim()).toBe(id);
    const alerts = JSON.parse((await am(['alert', 'query', '-o', 'json', '-s', 'alertname=MatchingDown'])).stdout) as Array<Record<string, any>>;
    expect(alerts[0]?.status).toEqual({ state: 'suppressed', silencedBy: [id], inhibitedBy: [] });
    expect(JSON.parse((await am(['alert', 'query', '-o', 'json', 'alertname=MatchingDown'])).stdout)).toEqual([]);
    const expire = await am(['silence', 'expire', id]);
    expect(expire.code).toBe(0);
    expect((await am(['silence', 'query', '-q'])).stdout.trim()).toBe('');
    const expired = JSON.parse((await am(['silence', 'query', '--expired', '-o', 'json'])).stdout) as Array<Record<string, any>>;
    expect(expired.map((s) => [s.id, s.status.state])).toEqual([[id, 'expired']]);
    const audit = await h.request('GET', '/v1/audit?limit=100', { token: OPERATE });
    expect((audit.body.entries as Array<{ action: string; actor: string }>).filter((e) => e.action.startsWith('silence.')).map((e) => [e.action, e.actor])).toEqual([['silence.create', 'oncall'], ['silence.expire', 'oncall']]);
  });

  test('amtool config show prints Warden\'s routing tree, and amtool check-config accepts it as Alertmanager YAML', async () => {
    const show = await am(['config', 'show']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('receiver: oncall-pager');
    expect(show.stdout).toContain('routing_key: <secret>');
    expect(show.stdout).not.toContain('rk-secret-123');
    const status = await h.request('GET', '/api/v2/status', { token: READ });
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(file, status.body.config.original);
    const check = await run(amtool as string, ['check-config', file]);
    expect(check.stdout + check.stderr).toContain('SUCCESS');
    expect(check.code).toBe(0);
    const routes = await am(['config', 'routes', 'test', '--verify.receivers=oncall-pager', 'severity=P3', 'alertname=X']);
    expect(routes.code).toBe(0);
  });

  test('GET /api/v2/status has every required field; Grafana\'s Mimir probe path is not 200', async () => {
    const s = await h.request('GET', '/api/v2/status', { token: READ });
    expect(s.status).toBe(200);
    expect(Object.keys(s.body).sort()).toEqual(['cluster', 'config', 'uptime', 'versionInfo']);
    expect(s.body.cluster.status).toBe('disabled');
    expect(Object.keys(s.body.versionInfo).sort()).toEqual(['branch', 'buildDate', 'buildUser', 'goVersion', 'revision', 'version']);
    expect(Number.isNaN(Date.parse(s.body.uptime))).toBe(false);
    expect((await h.request('GET', '/alertmanager/api/v2/status', { token: READ })).status).toBe(404);
    expect((await h.request('GET', '/api/v2/receivers', { token: READ })).body).toEqual([{ name: 'oncall-pager' }]);
    expect((await h.request('GET', '/api/v2/status')).status).toBe(401);
  });
});
