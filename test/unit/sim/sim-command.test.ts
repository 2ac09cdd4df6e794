import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors';
import { faultBody, loadSimulatorSection } from '../../../src/sim/sim-commands';

describe('warden sim: configuration and flags', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sim-cfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the simulator section with defaults for what is not written', () => {
    const file = join(dir, 'warden.yaml');
    writeFileSync(file, 'server:\n  port: 9097\nsimulator:\n  enabled: true\n  base_port: 9400\n');
    expect(loadSimulatorSection(file)).toEqual({ enabled: true, base_port: 9400, host: '127.0.0.1', log_dir: '.warden/sim/logs' });
  });

  it('a bad simulator key is an error naming the file, line and field', () => {
    const file = join(dir, 'warden.yaml');
    writeFileSync(file, 'simulator:\n  enabled: true\n  base_port: "soon"\n');
    expect(() => loadSimulatorSection(file)).toThrow(ConfigError);
    expect(() => loadSimulatorSection(file)).toThrow(/warden\.yaml:3:\d+: simulator\.base_port:/);
  });

  it('an unknown simulator key is rejected', () => {
    const file = join(dir, 'warden.yaml');
    writeFileSync(file, 'simulator:\n  speed: fast\n');
    expect(() => loadSimulatorSection(file)).toThrow(/unknown key "speed"/);
  });

  it('maps --rate to the rate field of the fault kind', () => {
    expect(faultBody('disk_fill', 'reporting', { rate: 1024 })).toEqual({ kind: 'disk_fill', component: 'reporting', rate_bytes_per_s: 1024 });
    expect(faultBody('memory_leak', 'settlement', { rate: 0.1 })).toEqual({ kind: 'memory_leak', component: 'settlement', rate_per_s: 0.1 });
    expect(faultBody('lag', 'database', { value: 12, metric: 'replication' })).toEqual({ kind: 'lag', component: 'database', value: 12, metric: 'replication' });
  });
});
