import { Registry } from 'prom-client';
import { ProbeSource } from '../../../src/ingest/probe-source';
import type { ComponentConfig } from '../../../src/config/schema';
import type { Sample } from '../../../src/signals/sample';
import { silentLogger } from '../../../src/telemetry/logger';
import { freePort } from '../../support/redis-server';
import { capturingLogger, collectingSink, find, hang, type Handler, reply, startTarget, type TestTarget, waitFor } from './scrape-probe-server';

const NOW = 1_700_000_000_000;
const clock = () => NOW;

function component(url: string, probe: Partial<NonNullable<ComponentConfig['probe']>> = {}): ComponentConfig {
  // Short interval, generous timeout: the test machine is shared and may be slow.
  return { name: 'matching-engine', critical: true, probe: { url, interval: 50, timeout: 2000, failure_threshold: 3, confirm_interval: 50, ...probe } };
}

/** Answers the n-th request with statuses[n]; after the script, with the last status. */
function scripted(statuses: number[]): Handler {
  let n = 0;
  return (req, res) => reply(statuses[Math.min(n++, statuses.length - 1)] as number)(req, res);
}

let target: TestTarget | undefined;
const sources: ProbeSource[] = [];

function startProbe(c: ComponentConfig, opts: Partial<ConstructorParameters<typeof ProbeSource>[2]> = {}) {
  const { sink, batches } = collectingSink();
  const source = new ProbeSource(c, sink, { clock, log: silentLogger(), ...opts });
  sources.push(source);
  source.start();
  return { source, batches };
}

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await target?.close();
  target = undefined;
});

const valuesOf = (batches: Sample[][], name: string) => batches.map((b) => find(b, name)?.value);

describe('component_up from HTTP probes (spec §4.1: down after 3 consecutive failures)', () => {
  it('exactly the 3rd consecutive failure sets component_up 0, and one success restores 1', async () => {
    target = await startTarget(scripted([200, 503, 503, 503, 200]));
    const { batches } = startProbe(component(target.url));
    await waitFor(() => batches.length >= 5, 'five probes');
    const five = batches.slice(0, 5);
    expect(valuesOf(five, 'probe_success')).toEqual([1, 0, 0, 0, 1]);
    expect(valuesOf(five, 'component_up')).toEqual([1, 1, 1, 0, 1]);
  });

  it('emits component_up with every probe, so it never goes stale while probing works', async () => {
    target = await startTarget(reply(200));
    const { batches } = startProbe(component(target.url));
    await waitFor(() => batches.length >= 4, 'four probes');
    for (const batch of batches) {
      expect(batch).toEqual([
        { name: 'probe_success', labels: { component: 'matching-engine' }, value: 1, timestampMs: NOW },
        { name: 'probe_duration_seconds', labels: { component: 'matching-engine' }, value: 0, timestampMs: NOW },
        { name: 'component_up', labels: { component: 'matching-engine' }, value: 1, timestampMs: NOW },
      ]);
    }
  });

  it('never pretends a component is up: no component_up until a success or 3 failures', async () => {
    target = await startTarget(scripted([503, 503, 503, 503]));
    const { batches } = startProbe(component(target.url));
    await waitFor(() => batches.length >= 4, 'four probes');
    expect(valuesOf(batches.slice(0, 4), 'component_up')).toEqual([undefined, undefined, 0, 0]);
    expect(valuesOf(batches.slice(0, 4), 'probe_success')).toEqual([0, 0, 0, 0]);
  });

  it('honours a configured failure_threshold', async () => {
    target = await startTarget(scripted([200, 500]));
    const { batches } = startProbe(component(target.url, { failure_threshold: 1 }));
    await waitFor(() => batches.length >= 2, 'two probes');
    expect(valuesOf(batches.slice(0, 2), 'component_up')).toEqual([1, 0]);
  });

  it('counts a timeout as a failure', async () => {
    target = await startTarget(hang);
    const registry = new Registry();
    const { source, batches } = startProbe(component(target.url, { timeout: 30, interval: 40 }), { registry });
    await waitFor(() => batches.length >= 3, 'three probes');
    expect(valuesOf(batches.slice(0, 3), 'component_up')).toEqual([undefined, undefined, 0]);
    expect(source.state.consecutiveFailures).toBeGreaterThanOrEqual(3);
    const counted = await registry.getSingleMetric('warden_probes_total')?.get();
    expect(counted?.values[0]?.labels).toEqual({ component: 'matching-engine', outcome: 'timeout' });
  });

  it('counts a refused connection as a failure, and logs once when the component goes down', async () => {
    const { log, lines } = capturingLogger();
    const { batches } = startProbe(component(`http://127.0.0.1:${await freePort()}/healthz`), { log });
    await waitFor(() => batches.length >= 4, 'four probes');
    expect(valuesOf(batches.slice(0, 4), 'component_up')).toEqual([undefined, undefined, 0, 0]);
    const down = lines.filter((l) => l.msg === 'component is down (component_up 0)');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ outcome: 'connection_error', consecutiveFailures: 3, source: 'probe:matching-engine' });
  });

  it('counts probes by outcome on the registry', async () => {
    target = await startTarget(scripted([200, 503, 200]));
    const registry = new Registry();
    const { batches } = startProbe(component(target.url), { registry });
    await waitFor(() => batches.length >= 3, 'three probes');
    await sources[0]?.stop();
    const counted = await registry.getSingleMetric('warden_probes_total')?.get();
    const byOutcome = Object.fromEntries((counted?.values ?? []).map((v) => [v.labels.outcome, v.value]));
    expect(byOutcome.http_error).toBe(1);
    expect(byOutcome.success).toBe(batches.length - 1);
  });
});

describe('probe lifecycle', () => {
  it('refuses a component without a probe', () => {
    expect(() => new ProbeSource({ name: 'reporting', critical: false }, () => undefined, { log: silentLogger() })).toThrow(
      'component "reporting" has no probe configured',
    );
  });

  it('stops during a hanging probe without reporting it, and stops twice safely', async () => {
    target = await startTarget(hang);
    const { source, batches } = startProbe(component(target.url, { timeout: 10_000, interval: 10_000 }));
    await waitFor(() => target?.requests.length === 1, 'the probe to begin');
    const stopped = source.stop();
    expect(source.stop()).toBe(stopped);
    await stopped;
    expect(batches).toEqual([]);
    expect(source.state).toEqual({ up: undefined, consecutiveFailures: 0 });
  });
});
