import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load-config';

describe('the shipped warden.yaml', () => {
  it('loads, with the spec’s critical components and the simulator watched', () => {
    const c = loadConfig(join(__dirname, '..', '..', '..', 'warden.yaml'));
    const critical = c.components.filter((x) => x.critical).map((x) => x.name).sort();
    expect(critical).toEqual(['database', 'matching-engine', 'settlement']);
    expect(c.components.filter((x) => !x.critical).map((x) => x.name).sort()).toEqual(['db-primary', 'db-replica', 'market-data', 'order-gateway', 'reporting']);
    expect(c.simulator.enabled).toBe(true);
    expect(c.scrape).toHaveLength(6);
    expect(c.components.every((x) => x.probe?.interval === 500 && x.probe.confirm_interval === 250 && x.probe.timeout === 3000 && x.probe.failure_threshold === 3)).toBe(true);
  });

  it('asks for no scrape timeout longer than its interval (which used to warn six times at start)', () => {
    const c = loadConfig(join(__dirname, '..', '..', '..', 'warden.yaml'));
    expect(c.scrape.map((s) => [s.job, s.timeout <= s.interval])).toEqual(c.scrape.map((s) => [s.job, true]));
  });
});
