import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertTransition } from '../../../src/rules/alert';
import { freePort } from '../../support/redis-server';
import { restartDownRules, restartRemediationConfig } from '../../support/remediation-rules';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { waitFor } from '../e2e/remediation-e2e-support';

/**
 * Issue 14 §2 through a real Warden (real redis-server, real HTTP probes and scrapes, the real http
 * restart driver against a local server that records restart requests): a first failed probe is
 * re-probed at confirm_interval; one dropped probe restarts nothing; three in a row restart once;
 * a refused scrape of the same component brings a probe forward but is not a failure.
 */
jest.setTimeout(60_000);

const RULES = restartDownRules({
  url: '/control/restart/{{target}}',
  cooldown: '2m',
  verify: `{expr: 'component_up{component="{{ $labels.component }}"} == 1', within: 10s}`,
  onFailure: 'escalate',
});

/** What the exchange's /healthz answers, per component; the test flips it. */
const answer: Record<string, number> = { settlement: 200, 'market-data': 200 };
/** Every probe (component, time) and restart request the exchange received. */
const probes: Array<{ component: string; atMs: number; status: number }> = [];
const restarts: Array<{ component: string; atMs: number }> = [];
/** Statuses to answer next, before falling back to `answer` (one dropped probe = [503]). */
const script: Record<string, number[]> = { settlement: [], 'market-data': [] };

let exchange: Server;
let h: WardenHarness;
const transitions: AlertTransition[] = [];

beforeAll(async () => {
  exchange = createServer((req, res) => {
    const [, first, second, third] = (req.url ?? '').split('/');
    if (first === 'healthz' || second === 'healthz') {
      const component = first === 'healthz' ? 'settlement' : (first as string);
      const status = script[component]?.shift() ?? answer[component] ?? 404;
      probes.push({ component, atMs: Date.now(), status });
      return void res.writeHead(status).end();
    }
    if (first === 'control' && second === 'restart') {
      restarts.push({ component: third as string, atMs: Date.now() });
      answer[third as string] = 200; // the restart brings it back
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"restarting":true}');
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => exchange.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(exchange.address() as AddressInfo).port}`;
  const refused = `http://127.0.0.1:${await freePort()}/metrics`; // nothing listens there
  h = await startHarness({
    config: `
components:
  - {name: settlement, probe: {url: "${url}/healthz", interval: 1s, confirm_interval: 250ms, failure_threshold: 3}}
  - {name: market-data, probe: {url: "${url}/market-data/healthz", interval: 30s, confirm_interval: 250ms, failure_threshold: 3}}
scrape:
  - {job: market-data, url: "${refused}", interval: 500ms, timeout: 400ms}
${restartRemediationConfig(url)}`,
    files: { 'down.rules.yaml': RULES },
  });
  h.warden.events.on('alert', (t) => transitions.push(t));
  await waitFor('settlement probed up twice', () => probes.filter((p) => p.component === 'settlement' && p.status === 200).length >= 2);
});

afterAll(async () => {
  await h?.stop();
  await new Promise<void>((r) => exchange.close(() => r()));
});

const settlementProbes = () => probes.filter((p) => p.component === 'settlement');
const firing = (component: string) => transitions.filter((t) => t.to === 'firing' && t.alert.labels.component === component);

describe('fast failure confirmation (issue 14 §2, spec §4.1)', () => {
  it('one dropped probe is re-probed after confirm_interval, not a whole interval, and restarts nothing', async () => {
    script.settlement = [503];
    const failedAt = await waitFor('the dropped probe', () => settlementProbes().find((p) => p.status === 503));
    const i = settlementProbes().indexOf(failedAt);
    const next = await waitFor('the confirming probe', () => settlementProbes()[i + 1]);
    expect(next.status).toBe(200);
    // 250 ms confirm pace (scheduling slack on a loaded machine), where the steady pace is 1 s.
    expect(next.atMs - failedAt.atMs).toBeGreaterThanOrEqual(150);
    expect(next.atMs - failedAt.atMs).toBeLessThan(700);
    // Back to the steady interval after the success.
    const after = await waitFor('the next steady probe', () => settlementProbes()[i + 2]);
    expect(after.atMs - next.atMs).toBeGreaterThanOrEqual(900);
    expect(firing('settlement')).toEqual([]);
    expect(restarts).toEqual([]);
  });

  it('three failures in a row, 250 ms apart, mark it down and restart it exactly once; the restarted target is probed fast', async () => {
    answer.settlement = 503;
    const start = settlementProbes().length;
    const fired = await waitFor('ComponentDown firing for settlement', () => firing('settlement')[0]);
    const failed = settlementProbes().slice(start).filter((p) => p.status === 503);
    expect(failed.length).toBe(3);
    expect((failed[2] as { atMs: number }).atMs - (failed[0] as { atMs: number }).atMs).toBeLessThan(1200);
    expect(fired.alert.labels.component).toBe('settlement');
    const restart = await waitFor('the restart request', () => restarts[0]);
    // The first probe after the restart request comes at the confirm pace, and it is up.
    const back = await waitFor('the first probe after the restart', () => settlementProbes().find((p) => p.atMs >= restart.atMs));
    expect(back.status).toBe(200);
    expect(back.atMs - restart.atMs).toBeLessThan(700);
    await waitFor('ComponentDown resolved', () => transitions.some((t) => t.from === 'firing' && t.to === 'inactive' && t.alert.labels.component === 'settlement'));
    expect(restarts.map((r) => r.component)).toEqual(['settlement']);
  });

  it('a refused scrape of a probed component brings its probe forward, but never marks it down', async () => {
    // market-data's probe interval is 30 s; its scrape (every 500 ms) is refused throughout.
    const before = probes.filter((p) => p.component === 'market-data').length;
    await new Promise((r) => setTimeout(r, 2000));
    const during = probes.filter((p) => p.component === 'market-data').length - before;
    expect(during).toBeGreaterThanOrEqual(2);
    expect(firing('market-data')).toEqual([]);
    expect(restarts.filter((r) => r.component === 'market-data')).toEqual([]);
  });
});
