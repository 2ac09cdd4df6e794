import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/start-simulator';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { post, scrape, until } from './sim-helpers';

const APP = 'warden-sim-database-idle';

describe('idle_connections against a real PostgreSQL', () => {
  let db: TestDatabase;
  let sim: SimulatorHandle;
  let logDir: string;
  let admin: Client;

  beforeAll(async () => {
    db = await createTestDatabase('warden_sim');
    logDir = mkdtempSync(join(tmpdir(), 'warden-sim-pg-'));
    sim = await startSimulator({ logDir, postgresUrl: db.connectionString });
    admin = new Client({ connectionString: db.connectionString });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await sim?.stop();
    await db?.drop();
    rmSync(logDir, { recursive: true, force: true });
  });

  const idleBackends = async () =>
    Number((await admin.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'`, [APP])).rows[0].n);

  it('opens real idle connections, and terminating them (as reap_connections does) lowers the ratio', async () => {
    const res = await post(`${sim.controlUrl}/faults`, { kind: 'idle_connections', component: 'database', connections: 3 });
    expect(res.body.result).toMatchObject({ applied: 'idle_connections', idleConnectionsReal: true });
    expect(await idleBackends()).toBe(3);
    expect(await scrape(sim, 'database', 'db_connections_used_ratio')).toBeGreaterThanOrEqual(0.9);

    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'`, [APP]);
    await until('ratio to fall after reaping', () => scrape(sim, 'database', 'db_connections_used_ratio'), (v) => v < 0.9);
    expect(await idleBackends()).toBe(0);
  });

  it('clearing the fault closes the connections it opened', async () => {
    await post(`${sim.controlUrl}/faults`, { kind: 'idle_connections', component: 'database', connections: 2 });
    expect(await idleBackends()).toBe(2);
    await post(`${sim.controlUrl}/faults/clear`, { component: 'database', kind: 'idle_connections' });
    await until('connections closed', idleBackends, (n) => n === 0);
  });
});
