import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { auditEntries, finishedJob, pushEvery, stepsOf, waitFor } from './remediation-e2e-support';

/**
 * spec §11.2 "DB connection leak: close idle connections > 5 min", end to end on real PostgreSQL:
 * a tiny exporter pushes db_connections_used_ratio computed from pg_stat_activity of a database of
 * the test's own; the shipped rule's shape with a 3 s threshold (so "old" takes seconds, not minutes).
 */
jest.setTimeout(40_000);

const IDLE_FOR_S = 3;
/** The pool size the ratio is measured against: 10 connections are 100 %. */
const POOL = 10;

let db: TestDatabase;
let admin: Client;
let h: WardenHarness;
const clients: Client[] = [];

async function connect(applicationName: string): Promise<Client> {
  const c = new Client({ connectionString: db.connectionString, application_name: applicationName });
  c.on('error', () => undefined); // a reaped connection ends with an error on the idle client: expected
  await c.connect();
  await c.query('SELECT 1');
  clients.push(c);
  return c;
}

async function backends(): Promise<Array<{ pid: number; app: string; state: string; idle_s: number }>> {
  const r = await admin.query(
    `SELECT pid, application_name AS app, state, extract(epoch FROM now() - state_change)::float8 AS idle_s
     FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
    [db.name],
  );
  return r.rows;
}

beforeAll(async () => {
  db = await createTestDatabase('warden_e2e_reap');
  admin = new Client({ connectionString: db.connectionString.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  h = await startHarness({
    config: `
components: [{name: database}]
rules: [reap.rules.yaml]
evaluation_interval: 200ms
remediation:
  executors:
    postgres: {url: "${db.connectionString.replace(/\/[^/]+$/, '/postgres')}", application_name: warden-e2e}
`,
    files: {
      'reap.rules.yaml': `
groups:
  - name: leak
    rules:
      - {alert: DbConnectionLeak, expr: db_connections_used_ratio >= 0.9, labels: {health: yellow, severity: P2}}
remediations:
  - name: reap-idle-connections
    on: {alert: DbConnectionLeak}
    action: reap_connections
    target: "{{ $labels.component }}"
    params: {idle_for: ${IDLE_FOR_S}s, databases: [${db.name}]}
    cooldown: 5m
    verify: {expr: 'db_connections_used_ratio{component="{{ $labels.component }}"} < 0.9', within: 10s}
`,
    },
  });
});

afterAll(async () => {
  await h?.stop();
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await admin?.end();
  await db?.drop();
});

describe('DB connection leak -> reap idle connections (spec §11.2) on real PostgreSQL', () => {
  it('terminates the idle connections older than the threshold; active and young idle ones are untouched; verified and audited', async () => {
    for (let i = 0; i < 6; i++) await connect('leaky-app');
    await waitFor(`6 idle connections older than ${IDLE_FOR_S} s`, async () => (await backends()).filter((b) => b.app === 'leaky-app' && b.state === 'idle' && b.idle_s > IDLE_FOR_S + 0.5).length === 6, 15_000);
    const busy = await connect('busy-app');
    const running = busy.query('SELECT pg_sleep(20)').catch(() => undefined);
    await waitFor('the busy query to be active', async () => (await backends()).some((b) => b.app === 'busy-app' && b.state === 'active'));
    const young: Client[] = [];
    for (let i = 0; i < 3; i++) young.push(await connect('young-app'));
    expect((await backends()).length).toBe(10);
    // A live app's pooled connections are used every so often: touching them keeps them younger than
    // the threshold however long a slow runner takes to fire, enqueue and run the reap.
    const touching = setInterval(() => {
      for (const c of young) c.query('SELECT 1').catch(() => undefined);
    }, 500);

    // The exporter: the share of the pool in use, as the database component would report it.
    const exporter = pushEvery(h, 200, async () => [{ name: 'db_connections_used_ratio', labels: { component: 'database' }, value: (await backends()).length / POOL }]);
    try {
      const job = await finishedJob(h, 'reap-idle-connections', 'database', 20_000);
      expect(job).toMatchObject({ state: 'completed', action: 'reap_connections', result: { outcome: 'verified' } });
      const left = await backends();
      expect(left.filter((b) => b.app === 'leaky-app')).toEqual([]);
      expect(left.filter((b) => b.app === 'busy-app' && b.state === 'active')).toHaveLength(1);
      expect(left.filter((b) => b.app === 'young-app')).toHaveLength(3);
      expect(job.result).toMatchObject({ outcome: 'verified', details: { count: 6 } });

      const audit = await auditEntries(h);
      expect(stepsOf(audit, job.id)).toEqual(['matched', 'enqueued', 'attempt', 'success', 'verified']);
      expect(exporter.errors).toEqual([]);
    } finally {
      clearInterval(touching);
      await exporter.stop();
      await admin.query('SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [db.name, 'busy-app']);
      await running;
    }
  });
});
