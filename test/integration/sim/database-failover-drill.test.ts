import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load-config';
import { DrillRunner } from '../../../src/drill/drill-runner';
import { scenarioNamed } from '../../../src/drill/drill-scenarios';
import { SimControlClient } from '../../../src/sim/control-client';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/start-simulator';
import { silentLogger } from '../../../src/telemetry/logger';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { post } from './sim-helpers';

/**
 * Issue 14 §3 without PostgreSQL: the simulator's primary/replica pair speaks Patroni's REST API,
 * Warden's patroni driver fails it over, and the `database-primary-down` drill scenario (run by the
 * drill runner itself, on the shipped rules) measures it against spec §13's 60 s.
 */
jest.setTimeout(150_000);

let sim: SimulatorHandle;
let redis: TestRedis;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-dbdrill-'));
  cpSync(join(__dirname, '..', '..', '..', 'rules'), join(dir, 'rules'), { recursive: true });
  [sim, redis] = await Promise.all([startSimulator({ logDir: join(dir, 'logs') }), startRedis()]);
});
afterAll(async () => {
  await sim?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(): string {
  const critical = new Set(['matching-engine', 'settlement', 'database']);
  const components = sim.components.map((c) => `  - {name: ${c.name}, critical: ${critical.has(c.name)}, probe: {url: "${c.healthUrl}", interval: 500ms}}`);
  const nodes = ['db-primary', 'db-replica'];
  return `
components:
${components.join('\n')}
${nodes.map((n) => `  - {name: ${n}, probe: {url: "${sim.controlUrl}/db/${n}/health", interval: 500ms}}`).join('\n')}
scrape:
${sim.components.map((c) => `  - {job: ${c.name}, url: "${c.metricsUrl}", interval: 1s}`).join('\n')}
rules: [rules/*.rules.yaml]
exchange: {admin_url: "${sim.exchangeAdminUrl}"}
remediation:
  executors:
    restart: {http_base_url: "${sim.controlUrl}"}
    databases:
      - name: exchange-db
        driver: patroni
        connect_timeout: 1s
        observe_interval: 1s
        nodes:
${nodes.map((n) => `          - {name: ${n}, api_url: "${sim.controlUrl}/db/${n}"}`).join('\n')}
log_level: silent
`;
}

describe('the simulated database pair (Patroni REST API)', () => {
  test('speaks Patroni: /cluster, /primary, /replica, POST /failover with its status codes', async () => {
    const cluster = (await (await fetch(`${sim.controlUrl}/db/db-replica/cluster`)).json()) as { members: Array<{ name: string; role: string; state: string }> };
    expect(cluster.members.map((m) => [m.name, m.role, m.state])).toEqual([['db-primary', 'leader', 'running'], ['db-replica', 'sync_standby', 'streaming']]);
    expect((await fetch(`${sim.controlUrl}/db/db-primary/primary`)).status).toBe(200);
    expect((await fetch(`${sim.controlUrl}/db/db-replica/primary`)).status).toBe(503);
    expect((await fetch(`${sim.controlUrl}/db/db-replica/replica`)).status).toBe(200);
    const none = await fetch(`${sim.controlUrl}/db/db-replica/failover`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([none.status, await none.text()]).toEqual([400, 'Failover could be performed only to a specific candidate']);
    const bad = await fetch(`${sim.controlUrl}/db/db-replica/failover`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"candidate":"db-x"}' });
    expect([bad.status, await bad.text()]).toEqual([412, 'candidate does not exists']);
    // A fault on anything but the database pair is refused, naming the field.
    expect(await post(`${sim.controlUrl}/faults`, { kind: 'primary_down', component: 'settlement' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_fault', field: 'component' } } });
  });

  test('drill database-primary-down: detected, failed over once, exchange repointed, Green again within §13 60 s (target 6 s)', async () => {
    const scenario = scenarioNamed('database-primary-down');
    if (!scenario) throw new Error('scenario missing');
    const cfg = parseConfig(join(dir, 'warden.yaml'), config(), { port: 0 });
    const runner = new DrillRunner({ config: cfg, baseDir: dir, redisUrl: redis.url, control: new SimControlClient(sim.controlUrl), components: cfg.components.map((c) => c.name), log: silentLogger() });
    const run = await runner.run(scenario, 1);
    process.stdout.write(`drill database-primary-down: detect ${run.detectMs} ms, verified ${run.remediationVerifiedMs} ms, Green ${run.greenMs} ms, pages ${JSON.stringify(run.pages)}\n`);
    expect(run.reasons).toEqual([]);
    expect(run.passed).toBe(true);
    expect(run.firstAlert).toBe('DatabasePrimaryDown');
    expect(run.actions).toEqual([expect.objectContaining({ action: 'failover_database', target: 'exchange-db' })]);
    expect(run.doneTwice).toEqual([]);
    const routing = (await (await fetch(`${sim.exchangeAdminUrl}/database`)).json()) as { primary: string; epoch: number; changes: number };
    expect(routing).toMatchObject({ primary: 'db-replica', epoch: 1, changes: 1 });
    const status = (await (await fetch(`${sim.controlUrl}/status`)).json()) as { database: { leader: string; members: Array<{ name: string; role: string; running: boolean }> } };
    // The old primary came back as a replica: never failed back to.
    expect(status.database.leader).toBe('db-replica');
    expect(status.database.members).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'db-primary', role: 'replica', running: true })]));
  });
});
