import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, exited, spawnCli } from '../../support/cli';
import { startRedis, type TestRedis } from '../../support/redis-server';

/**
 * Issue 9 part 5, as the tester saw it: a real `warden start` child, ten thousand series of one
 * rule-selected metric with one `component` label (invariant violations, exchange-scoped, so they
 * all land in one incident and one health reason list), then SIGTERM in the middle of a second
 * wave, with Redis frozen under it: the case where only the shutdown bounds (dropping queued
 * incident updates, a limit per step, the 20 s limit in `warden start`) let Warden exit at all.
 */
const SERIES = 10_000;
const BATCH = 2_000;
const MAX_ALERTS = 100;

let dir: string;
let redis: TestRedis;
let child: ChildProcess | undefined;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-storm-'));
  mkdirSync(join(dir, 'rules'));
  copyFileSync(join(REPO, 'rules', 'exchange.rules.yaml'), join(dir, 'rules', 'exchange.rules.yaml'));
  writeFileSync(join(dir, 'warden.yaml'), [
    'components: [{name: matching-engine, critical: true}]',
    'rules: [rules/exchange.rules.yaml]',
    'log_level: error',
    `notify: {max_alerts: ${MAX_ALERTS}}`,
    '',
  ].join('\n'));
  redis = await startRedis();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function redisInputBytes(): Promise<number> {
  const m = /total_net_input_bytes:(\d+)/.exec(await redis.client().info('stats'));
  if (!m) throw new Error('INFO stats has no total_net_input_bytes');
  return Number(m[1]);
}

/** A counter from 0 to 1 for each series: each is one increase, so one DataIntegrityViolation alert. */
async function pushViolations(url: string, prefix: string, from: number, to: number): Promise<void> {
  const now = Date.now();
  const samples = [];
  for (let i = from; i < to; i++) {
    const labels = { component: 'matching-engine', instance: `${prefix}${i}` };
    samples.push({ name: 'invariant_violations_total', labels, value: 0, timestamp: now - 2000 }, { name: 'invariant_violations_total', labels, value: 1, timestamp: now - 1000 });
  }
  const res = await fetch(`${url}/v1/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ samples }) });
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
}

/** The second wave: pushes back to back (answered 503 once Redis froze) until told to stop. */
function keepPushing(url: string): { stop(): Promise<number> } {
  let pushing = true;
  let pushes = 0;
  const done = (async () => {
    for (let i = 0; pushing; i += BATCH, pushes++) await pushViolations(url, 'b', i, i + BATCH).catch(() => undefined);
  })();
  return { stop: async () => ((pushing = false), await done, pushes) };
}

interface IncidentView { id: string; alerts: unknown[]; alertsTotal: number; truncatedAlerts: number; severity: string }

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('an alert storm', () => {
  it('grows one incident linearly (capped list, right total, no update lost), and SIGTERM during a storm on a frozen Redis exits within 20 s', async () => {
    const started = await spawnCli(['start', '--config', join(dir, 'warden.yaml'), '--port', '0'], /listening on (http:\/\/[^\s"]+)/, { env: { REDIS_URL: redis.url }, timeoutMs: 60_000 });
    child = started.child;
    const url = started.match[1] as string;

    const before = await redisInputBytes();
    for (let i = 0; i < SERIES; i += BATCH) await pushViolations(url, 'a', i, i + BATCH);
    // Every alert, in memory and in Redis: a transition dropped from a full queue never comes back.
    const incident = await waitFor('one incident holding every alert', async () => {
      const body = (await (await fetch(`${url}/v1/incidents`)).json()) as { incidents: IncidentView[] };
      const inc = body.incidents[0];
      return body.incidents.length === 1 && inc?.alertsTotal === SERIES ? inc : undefined;
    }, 40_000);
    const client = redis.client();
    const stored = await waitFor('every alert of the incident in Redis', async () => {
      const n = await client.hlen(`warden:incident:${incident.id}:alerts`);
      return n === SERIES ? n : undefined;
    }, 20_000);
    const perAlert = ((await redisInputBytes()) - before) / SERIES;
    expect(stored).toBe(SERIES);
    expect(incident.severity).toBe('P0');
    expect(incident.alerts).toHaveLength(MAX_ALERTS);
    expect(incident.truncatedAlerts).toBe(SERIES - MAX_ALERTS);
    // Rewriting the incident (or every active alert) per change costs ~SERIES/2 alerts' worth of bytes per alert.
    expect(perAlert).toBeLessThan(16 * 1024);
    const health = (await (await fetch(`${url}/v1/health`)).json()) as { status: string };
    expect(health.status).toBe('red');

    // A second wave keeps arriving; Redis freezes under it, and SIGTERM lands in the middle.
    const wave = keepPushing(url);
    await pushViolations(url, 'c', 0, BATCH);
    redis.freeze();
    await new Promise((r) => setTimeout(r, 1_000));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited(child);
    const tookMs = Date.now() - signalledAt;
    redis.thaw();
    expect(await wave.stop()).toBeGreaterThan(0);
    // 0: every step returned within its own bound (about 17 s here); without them the frozen Redis
    // holds the queued incident updates and the queue clients forever, and only the 20 s limit of
    // `warden start` (exit 1) or a SIGKILL ends the process. 1 s of slack for a loaded host's exit.
    expect({ code, within20s: tookMs < 20_000 + 1_000 }).toEqual({ code: 0, within20s: true });
    expect(started.output()).not.toMatch(/shutdown did not finish in time/);
  }, 120_000);
});
