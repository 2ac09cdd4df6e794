import { Client } from 'pg';
import { ReapConnectionsExecutor } from '../../../src/remediate/executors/reap-connections';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { executionContext } from './helpers';

let db: TestDatabase;
const clients: Client[] = [];

beforeAll(async () => {
  db = await createTestDatabase('warden_reap');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined /* already terminated by the reaper */)));
  await db.drop();
});

async function connect(applicationName: string): Promise<{ client: Client; pid: number }> {
  const client = new Client({ connectionString: db.connectionString, application_name: applicationName });
  client.on('error', () => undefined); // a reaped backend surfaces here; that is the point of the test
  clients.push(client);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: Number(rows[0]?.pid) };
}

async function alive(client: Client): Promise<boolean> {
  try {
    await client.query('SELECT 1');
    return true;
  } catch {
    return false; // terminated
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reap_connections on a real PostgreSQL', () => {
  test('exactly the idle connections older than the threshold are terminated', async () => {
    const idleOld = await Promise.all([1, 2, 3].map(() => connect('leaky-app')));
    const wardenOwn = await connect('warden');
    const inTransaction = await connect('leaky-app');
    await inTransaction.client.query('BEGIN');
    await inTransaction.client.query('SELECT 1');
    const active = await connect('reporting');
    const activeQuery = active.client.query('SELECT pg_sleep(30)').catch((err: Error) => err);
    // The old ones are 5.5 s idle against a 5 s threshold; the young one has 5 s of margin for a slow runner.
    await sleep(5500);
    const idleYoung = await connect('leaky-app');

    const executor = new ReapConnectionsExecutor({ connectionString: db.connectionString });
    const r = await executor.execute('postgres', { idle_for: '5s', databases: [db.name] }, executionContext());

    expect((r.details.pids as number[]).sort()).toEqual(idleOld.map((c) => c.pid).sort());
    expect(r.details.count).toBe(3);
    expect(r.summary).toMatch(/^terminated 3 idle connection\(s\) on postgres/);
    for (const c of idleOld) expect(await alive(c.client)).toBe(false);
    for (const c of [wardenOwn, idleYoung]) expect(await alive(c.client)).toBe(true);
    const stillThere = await idleYoung.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)', [[active.pid, inTransaction.pid]]);
    expect(stillThere.rows.map((row) => Number(row.pid)).sort()).toEqual([active.pid, inTransaction.pid].sort());
    await idleYoung.client.query('SELECT pg_cancel_backend($1)', [active.pid]);
    await activeQuery;
    await inTransaction.client.query('ROLLBACK');
  });

  test('idle-in-transaction is reaped only when listed in states; other databases are never touched', async () => {
    const inTransaction = await connect('leaky-app');
    await inTransaction.client.query('BEGIN');
    await inTransaction.client.query('SELECT 1');
    await sleep(1200);
    const executor = new ReapConnectionsExecutor({ connectionString: db.connectionString });
    const elsewhere = await executor.execute('postgres', { idle_for: '1s', databases: ['no_such_db_here'], states: ['idle', 'idle in transaction'] }, executionContext());
    expect(elsewhere.details.count).toBe(0);
    const r = await executor.execute('postgres', { idle_for: '1s', databases: [db.name], states: ['idle in transaction'] }, executionContext());
    expect(r.details.pids).toEqual([inTransaction.pid]);
  });

  test('params must limit the run to databases or users; active is not a reapable state', async () => {
    const executor = new ReapConnectionsExecutor({ connectionString: db.connectionString });
    await expect(executor.execute('postgres', { idle_for: '1s' }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/databases or users/) });
    await expect(executor.execute('postgres', { databases: [db.name], states: ['active'] }, executionContext())).rejects.toMatchObject({ name: 'PermanentError' });
    await expect(executor.execute('postgres', { databases: [db.name], idle_for: 'soon' }, executionContext())).rejects.toMatchObject({ name: 'PermanentError' });
  });

  test('a refused connection is transient; a database that does not exist is permanent', async () => {
    const refused = new ReapConnectionsExecutor({ connectionString: 'postgresql://postgres@127.0.0.1:1/postgres' });
    await expect(refused.execute('postgres', { databases: [db.name] }, executionContext())).rejects.toMatchObject({ name: 'TransientError' });
    const missing = new ReapConnectionsExecutor({ connectionString: db.connectionString.replace(db.name, `${db.name}_missing`) });
    await expect(missing.execute('postgres', { databases: [db.name] }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/3D000/) });
  });
});
