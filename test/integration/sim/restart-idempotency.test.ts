import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/start-simulator';
import { post, status } from './sim-helpers';

/**
 * The simulator's restart endpoint honours Idempotency-Key (spec §9.1), as Warden's restart driver
 * expects of a service: found by `warden drill` (issue 14), where a first request that timed out on
 * a loaded host was retried with its key, got 409 "already starting", and a restart that worked was
 * escalated as failed (a P0 page, twice).
 */
jest.setTimeout(60_000);

let sim: SimulatorHandle;
let logDir: string;
beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'warden-sim-restart-'));
  sim = await startSimulator({ logDir });
});
afterAll(async () => {
  await sim?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

const restart = (component: string, key?: string) => post(`${sim.controlUrl}/control/restart/${component}`, undefined, key ? { 'Idempotency-Key': key } : {});

describe('POST /control/restart/<component> with an Idempotency-Key', () => {
  it('the same key while the restart is starting joins it, and once done restarts nothing more', async () => {
    const before = await status(sim, 'settlement');
    const [first, retried] = await Promise.all([restart('settlement', 'job-1'), restart('settlement', 'job-1')]);
    expect(first.status).toBe(200);
    expect(retried.status).toBe(200);
    expect(retried.body.pid).toBe(first.body.pid);
    expect(first.body).toMatchObject({ state: 'running', restarts: before.restarts + 1 });
    const later = await restart('settlement', 'job-1');
    expect(later.body.pid).toBe(first.body.pid);
    expect((await status(sim, 'settlement')).restarts).toBe(before.restarts + 1);
  });

  it('another restart asked for while one is starting joins it: one fresh process answers both', async () => {
    const before = await status(sim, 'market-data');
    const [a, b] = await Promise.all([restart('market-data', 'job-a'), restart('market-data', 'job-b')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.pid).toBe(a.body.pid);
    expect((await status(sim, 'market-data')).restarts).toBe(before.restarts + 1);
  });

  it('a new key, or none, restarts again', async () => {
    const before = await status(sim, 'settlement');
    const fresh = await restart('settlement', 'job-2');
    expect(fresh.body.pid).not.toBe(before.pid);
    const keyless = await restart('settlement');
    expect(keyless.body.pid).not.toBe(fresh.body.pid);
    expect((await status(sim, 'settlement')).restarts).toBe(before.restarts + 2);
  });

  it('an unknown component is still a 400 naming the field', async () => {
    const r = await restart('sshd', 'job-3');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'unknown_component', field: 'component' });
  });
});
