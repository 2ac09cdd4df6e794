import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { restartDownRules, restartRemediationConfig } from '../../support/remediation-rules';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

/**
 * Issue 9: a scrape target that exposes series Warden derives itself (a probed component's
 * component_up, any warden_*) cannot override the probe: those samples are dropped and counted,
 * the rest of the scrape is kept. Real Warden, real HTTP exporter, probe and restart endpoint.
 */
jest.setTimeout(60_000);

const RULES = restartDownRules({ url: '/control/restart/{{target}}', moreRules: ['{alert: QueueDeep, expr: queue_depth > 1, labels: {severity: P3}}'] });

let server: Server;
let url: string;
const restarts: string[] = [];
let h: WardenHarness;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200).end('ok');
    if (req.url === '/metrics') {
      return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(
        ['component_up{component="settlement"} 0', 'warden_component_critical{component="settlement"} 0', 'probe_success{component="settlement"} 0', 'queue_depth 5', ''].join('\n'),
      );
    }
    restarts.push(req.url ?? '');
    req.resume();
    res.writeHead(200).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await startHarness({
    config: `
components:
  - {name: settlement, critical: true, probe: {url: "${url}/healthz", interval: 200ms, failure_threshold: 1}}
scrape:
  - {job: exporter, url: "${url}/metrics", interval: 200ms, timeout: 200ms}
${restartRemediationConfig(url)}`,
    files: { 'down.rules.yaml': RULES },
  });
});

afterAll(async () => {
  await h?.stop();
  await new Promise<void>((r) => server.close(() => r()));
});

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = (await h.request('GET', '/metrics')).body as string;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scraped series that Warden derives itself', () => {
  it("are dropped and counted: the probe's component_up stands, no restart; the target's other series are kept", async () => {
    // The rest of the scrape arrives (queue_depth 5 fires QueueDeep), so the scrape itself is used.
    await waitUntil('QueueDeep to fire from the scraped queue_depth', async () => ((await h.request('GET', '/v1/alerts')).body.alerts as Array<{ name: string; state: string }>).some((a) => a.name === 'QueueDeep' && a.state === 'firing'));
    await waitUntil('three scrapes with derived series dropped', async () => (await metric('warden_scrape_samples_dropped_total', { job: 'exporter', reason: 'derived_series' })) >= 9);
    const alerts = (await h.request('GET', '/v1/alerts')).body.alerts as Array<{ name: string }>;
    expect(alerts.filter((a) => a.name === 'ComponentDown')).toEqual([]);
    expect(restarts).toEqual([]);
    const health = (await h.request('GET', '/v1/health')).body as { components: Array<{ name: string; status: string }> };
    expect(health.components.find((c) => c.name === 'settlement')?.status).toBe('green');
  });
});
