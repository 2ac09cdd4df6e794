import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, spawnCli } from '../../support/cli';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

/** ~9 MB, under the default 10 MiB limit: 64k samples over 64k series (10 metrics). */
const SAMPLES = 64_000;
const PUSHES = 4;
/**
 * Generous for a loaded CI machine (polling an idle Warden there already sees ~200 ms scheduling
 * spikes at load 15 on 2 cores); the 50 ms p99 target is the benchmark's (push_large_healthz_p99_ms).
 */
const HEALTHZ_P90_BOUND_MS = 250;
const HEALTHZ_MAX_BOUND_MS = 1000;

const RULES = `groups:
  - name: big
    rules:
      - alert: BigValue
        expr: big_metric_0 > 1e9
        labels: {health: yellow, severity: P3}
`;

let h: WardenHarness;
beforeAll(async () => {
  h = await startHarness({ config: 'components: [{name: database, critical: true}]\nrules: [big.rules.yaml]\n', files: { 'big.rules.yaml': RULES } });
});
afterAll(() => h?.stop());

function bigBody(round: number, startMs: number): string {
  const samples = [];
  for (let i = 0; i < SAMPLES; i++) {
    samples.push({ name: `big_metric_${i % 10}`, labels: { component: `c${i % 50}`, instance: `instance-${i}-${'é'.repeat(i % 3)}`, desk: 'desk-東京' }, value: round * 1_000_000 + i, timestamp: startMs + round });
  }
  return JSON.stringify({ samples });
}

async function timed(url: string, path: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url + path);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

const pushRaw = (url: string, body: string) => fetch(`${url}/v1/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

describe('large pushes do not stall other requests', () => {
  it('answers /healthz and /v1/health between ~9 MB batches pushed back to back, and applies every sample', async () => {
    // A real `warden start` of its own, so this test's work (building and sending 9 MB bodies) does
    // not run on the event loop it measures.
    const dir = mkdtempSync(join(tmpdir(), 'warden-large-push-'));
    writeFileSync(join(dir, 'warden.yaml'), 'components: [{name: database, critical: true}]\nrules: [big.rules.yaml]\nredis: {prefix: largepush}\n');
    writeFileSync(join(dir, 'big.rules.yaml'), RULES);
    const { child, match } = await spawnCli(['start', '--config', join(dir, 'warden.yaml'), '--port', '0'], /listening on (http:\/\/[^\s"]+)/, { env: { REDIS_URL: h.redis.url } });
    const url = match[1] as string;
    try {
      const startMs = Date.now() - 60_000;
      // Built before polling starts.
      const bodies = Array.from({ length: PUSHES }, (_, r) => bigBody(r, startMs));
      for (const b of bodies) expect(b.length).toBeGreaterThan(8_500_000);
      expect(bodies[0]!.length).toBeLessThan(10 * 1024 * 1024);

      let pushing = true;
      const polls: Array<{ path: string; status: number; ms: number }> = [];
      const poller = (async () => {
        while (pushing) {
          for (const path of ['/healthz', '/v1/health']) polls.push({ path, ...(await timed(url, path)) });
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const results = [];
      try {
        for (const body of bodies) results.push(await pushRaw(url, body));
      } finally {
        pushing = false;
        await poller;
      }
      expect(results).toEqual(Array.from({ length: PUSHES }, () => ({ status: 200, body: { accepted: SAMPLES, skipped: 0 } })));
      expect(polls.length).toBeGreaterThan(PUSHES * 2);
      expect(polls.filter((p) => p.status !== 200)).toEqual([]);
      // Before, each poll waited for a whole batch: >= 1 s behind the first (new series), ~300 ms behind each next.
      const ms = polls.map((p) => p.ms).sort((a, b) => a - b);
      const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] as number);
      expect({ p90: at(0.9) < HEALTHZ_P90_BOUND_MS, max: at(1) < HEALTHZ_MAX_BOUND_MS, polls: ms.length, p50: at(0.5), p90ms: at(0.9), maxMs: at(1) }).toMatchObject({ p90: true, max: true });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(`warden_samples_accepted_total{source="push"} ${PUSHES * SAMPLES}`);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('applies a large batch exactly: every series, value, timestamp and label (unicode included)', async () => {
    // Well inside the 60 s staleness: a series whose newest point is older than that (and read by
    // no range) is evicted by the next tick, as it should be, which once made this test flaky.
    const startMs = Date.now() - 5_000;
    for (let r = 0; r < 2; r++) expect(await pushRaw(h.url, bigBody(r, startMs))).toEqual({ status: 200, body: { accepted: SAMPLES, skipped: 0 } });
    const series = [...h.warden.store.seriesOf('big_metric_7')];
    expect(series).toHaveLength(SAMPLES / 10);
    for (const s of series) {
      expect(s.lastTimestampMs).toBe(startMs + 1);
      expect(s.size).toBe(2);
    }
    const one = series.find((s) => s.labels.instance === 'instance-17-éé');
    expect(one?.lastValue).toBe(1_000_000 + 17);
    expect(one?.labels).toEqual({ component: 'c17', instance: 'instance-17-éé', desk: 'desk-東京' });
  }, 120_000);

  it('a large batch with one bad sample near its end is refused whole, naming it, and changes nothing', async () => {
    const body = JSON.parse(bigBody(0, Date.now())) as { samples: Array<Record<string, unknown>> };
    for (const s of body.samples) s.name = `${s.name as string}_refused`;
    body.samples[SAMPLES - 2] = { name: 'bad name', value: 1 };
    const refused = await pushRaw(h.url, JSON.stringify(body));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_name', index: SAMPLES - 2, field: 'name' });
    expect([...h.warden.store.seriesOf('big_metric_0_refused')]).toHaveLength(0);

    const malformed = await pushRaw(h.url, `${JSON.stringify(body).slice(0, -2)}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const metrics = await h.request('GET', '/metrics');
    expect(metrics.body).toMatch(/warden_samples_rejected_total\{reason="invalid_name"\} 1/);
    expect(metrics.body).toMatch(/warden_samples_rejected_total\{reason="malformed_json"\} 1/);
  }, 120_000);
});
