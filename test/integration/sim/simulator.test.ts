import { mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/start-simulator';
import { SIM_COMPONENTS } from '../../../src/sim/components';
import { post, processExists, runSimCli, scrape, status, until } from './sim-helpers';

const KiB = 1024;

describe('the exchange simulator, running for real', () => {
  let sim: SimulatorHandle;
  let logDir: string;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'warden-sim-'));
    // A small disk so disk_fill reaches 0.95 with a few MiB of real log lines.
    sim = await startSimulator({ logDir, diskCapacityBytes: 2048 * KiB, maxLogFileBytes: 256 * KiB });
  });
  afterAll(async () => {
    await sim?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('every component serves Prometheus text and a healthy /healthz', async () => {
    expect(sim.components.map((c) => c.name)).toEqual([...SIM_COMPONENTS]);
    for (const c of sim.components) {
      const res = await fetch(c.metricsUrl);
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await res.text();
      expect(text).toContain(`# TYPE invariant_violations_total counter`);
      expect(text).toContain(`memory_used_ratio{component="${c.name}"}`);
      expect((await fetch(c.healthUrl)).status).toBe(200);
    }
    expect(await scrape(sim, 'database', 'replication_lag_seconds')).toBeLessThan(1);
  });

  it('writes real log files per component', () => {
    const files = readdirSync(logDir);
    for (const name of SIM_COMPONENTS) expect(files).toContain(`${name}.1.log`);
  });

  it('replication lag of 12 s shows on the database and clears again', async () => {
    expect((await post(`${sim.controlUrl}/faults`, { kind: 'lag', component: 'database', value: 12 })).status).toBe(200);
    expect(await scrape(sim, 'database', 'replication_lag_seconds')).toBe(12);
    await post(`${sim.controlUrl}/faults/clear`, { component: 'database', kind: 'lag' });
    expect(await scrape(sim, 'database', 'replication_lag_seconds')).toBeLessThan(1);
  });

  it('`sim fault lag` from the CLI sets processing lag of 5 s (Yellow range)', async () => {
    const out = await runSimCli(['fault', 'lag', 'matching-engine', '--value', '5', '--control-url', sim.controlUrl]);
    expect(out.code).toBe(0);
    expect(await scrape(sim, 'matching-engine', 'processing_lag_seconds')).toBe(5);
    expect((await runSimCli(['clear', 'matching-engine', '--control-url', sim.controlUrl])).code).toBe(0);
    expect(await scrape(sim, 'matching-engine', 'processing_lag_seconds')).toBeLessThan(1);
  });

  it('the CLI explains a bad fault and exits 1', async () => {
    const out = await runSimCli(['fault', 'meteor', 'database', '--control-url', sim.controlUrl]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('kind must be one of');
  });

  it('a bad fault over HTTP is a 400 in the one error shape and changes nothing', async () => {
    const res = await post(`${sim.controlUrl}/faults`, { kind: 'lag', component: 'database', value: 'lots' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_fault', field: 'value' });
    expect((await status(sim, 'database')).status.faults).toEqual([]);
  });

  it('invariant violations increment the counter', async () => {
    const before = await scrape(sim, 'settlement', 'invariant_violations_total');
    await post(`${sim.controlUrl}/faults`, { kind: 'invariant_violation', component: 'settlement', count: 2 });
    expect(await scrape(sim, 'settlement', 'invariant_violations_total')).toBe(before + 2);
  });

  it('read_only sets component_read_only to 1', async () => {
    await post(`${sim.controlUrl}/faults`, { kind: 'read_only', component: 'reporting' });
    expect(await scrape(sim, 'reporting', 'component_read_only')).toBe(1);
    await post(`${sim.controlUrl}/faults/clear`, { component: 'reporting' });
    expect(await scrape(sim, 'reporting', 'component_read_only')).toBe(0);
  });

  it('latency delays every endpoint by at least 100 ms', async () => {
    const gw = sim.components.find((c) => c.name === 'order-gateway')!;
    await post(`${sim.controlUrl}/faults`, { kind: 'latency', component: 'order-gateway' });
    for (const url of [gw.healthUrl, gw.metricsUrl]) {
      const t0 = performance.now();
      await fetch(url);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    }
    await post(`${sim.controlUrl}/faults/clear`, { component: 'order-gateway', kind: 'latency' });
  });

  it('idle connections push db_connections_used_ratio to 0.9 or more', async () => {
    await post(`${sim.controlUrl}/faults`, { kind: 'idle_connections', component: 'database' });
    expect(await scrape(sim, 'database', 'db_connections_used_ratio')).toBeGreaterThanOrEqual(0.9);
    await post(`${sim.controlUrl}/faults/clear`, { component: 'database' });
    expect(await scrape(sim, 'database', 'db_connections_used_ratio')).toBeLessThan(0.9);
  });

  it('disk_fill writes real, rotated log files until the disk is 95 % full; removing old files frees it', async () => {
    await post(`${sim.controlUrl}/faults`, { kind: 'disk_fill', component: 'market-data', rate_bytes_per_s: 4096 * KiB });
    await until('disk 95 % full', () => scrape(sim, 'market-data', 'disk_used_ratio'), (v) => v >= 0.95);
    const files = readdirSync(logDir).filter((f) => f.startsWith('market-data.'));
    expect(files.length).toBeGreaterThan(3);
    await post(`${sim.controlUrl}/faults/clear`, { component: 'market-data', kind: 'disk_fill' });
    // What archive_logs does: the oldest, closed files leave the directory.
    const oldest = files.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).slice(0, -1);
    for (const f of oldest) unlinkSync(join(logDir, f));
    expect(await scrape(sim, 'market-data', 'disk_used_ratio')).toBeLessThan(0.9);
  });

  it('a memory leak passes 0.8, and POST /admin/restart starts a fresh process without it', async () => {
    const before = await status(sim, 'settlement');
    await post(`${sim.controlUrl}/faults`, { kind: 'memory_leak', component: 'settlement', rate_per_s: 0.2 });
    await until('memory above 0.8', () => scrape(sim, 'settlement', 'memory_used_ratio'), (v) => v > 0.8);
    const admin = sim.components.find((c) => c.name === 'settlement')!.adminUrl;
    expect((await post(`${admin}/restart`)).status).toBe(202);
    const after = await until('a new settlement process', () => status(sim, 'settlement'), (s) => s.state === 'running' && s.pid !== before.pid && s.pid !== null);
    expect(processExists(before.pid)).toBe(false);
    expect(after.restarts).toBe(before.restarts + 1);
    expect(await scrape(sim, 'settlement', 'memory_used_ratio')).toBeLessThan(0.5);
  });

  it('a crash really kills the process, nobody restarts it, and `sim restart` brings it back', async () => {
    const me = sim.components.find((c) => c.name === 'matching-engine')!;
    const { pid } = await status(sim, 'matching-engine');
    expect((await post(`${sim.controlUrl}/faults`, { kind: 'crash', component: 'matching-engine' })).status).toBe(200);
    expect(processExists(pid)).toBe(false);
    await expect(fetch(me.healthUrl)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await status(sim, 'matching-engine')).toMatchObject({ state: 'crashed', pid: null, lastExit: { code: 1 } });
    // Faults cannot reach a dead process.
    expect((await post(`${sim.controlUrl}/faults`, { kind: 'read_only', component: 'matching-engine' })).status).toBe(409);

    const out = await runSimCli(['restart', 'matching-engine', '--control-url', sim.controlUrl]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ name: 'matching-engine', state: 'running' });
    expect((await fetch(me.healthUrl)).status).toBe(200);
  });

  it('halting trading with the same Idempotency-Key twice halts once and answers the same', async () => {
    const halt = `${sim.exchangeAdminUrl}/trading/halt`;
    const body = { reason: 'invariant violation on settlement', incident: 'inc-42' };
    const first = await post(halt, body, { 'Idempotency-Key': 'halt-inc-42' });
    const second = await post(halt, body, { 'Idempotency-Key': 'halt-inc-42' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'halted', changed: true, halts: 1, incident: 'inc-42' });
    expect({ ...second.body, replayed: undefined }).toEqual({ ...first.body, replayed: undefined });
    const trading = await (await fetch(`${sim.exchangeAdminUrl}/trading`)).json();
    expect(trading).toMatchObject({ state: 'halted', halts: 1 });
    expect(await (await fetch(`${sim.exchangeAdminUrl}/metrics`)).text()).toContain('exchange_trading_halted 1');

    expect((await post(halt, body)).status).toBe(400); // no key
    const resumed = await post(`${sim.exchangeAdminUrl}/trading/resume`, { reason: 'reconciled' }, { 'Idempotency-Key': 'resume-1' });
    expect(resumed.body).toMatchObject({ state: 'running', resumes: 1 });
  });
});
