import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { DatabasePair } from '../../../src/sim/database-pair';
import { patroniApi } from '../../../src/sim/patroni-api';
import type { AlertTransition } from '../../../src/rules/alert';
import { shippedConfigText } from '../../support/shipped-config';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { waitFor } from '../e2e/remediation-e2e-support';

/**
 * Issue 14 §2 with the shipped warden.yaml and the shipped rules (probes every 500 ms, confirmed
 * every 250 ms, down after 3): one dropped probe — a 503, or a connection reset — is confirmed by
 * the next probe and restarts nothing, pages nothing. Then, as the control that this setup does see
 * a restart, the same component failing for good is restarted exactly once.
 */
jest.setTimeout(60_000);

let exchange: Server;
let port = 0;
let h: WardenHarness;
const transitions: AlertTransition[] = [];
const probes: Array<{ component: string; atMs: number; ok: boolean }> = [];
const restarts: string[] = [];
/** Per component: 'ok', the next probe answered 503 ('drop503') or reset ('reset'), or 'down' for good. */
const mode = new Map<string, 'ok' | 'drop503' | 'reset' | 'down'>();
const componentByPort = new Map<string, string>();

beforeAll(async () => {
  // The shipped config also watches the simulator's database pair (on its control port, 9300):
  // served by the simulator's own Patroni API, so the database rules see a healthy pair.
  const db = express();
  db.use('/p9300/db/:member', patroniApi(new DatabasePair(Date.now), () => `http://127.0.0.1:${port}/p9300`, pino({ level: 'silent' })));
  exchange = createServer((req, res) => {
    if (req.url?.startsWith('/p9300/db/')) return void db(req, res);
    const m = /^\/p(\d+)(\/.*)$/.exec(req.url ?? '');
    const path = m?.[2] ?? '';
    const restart = /^\/control\/restart\/([a-z-]+)$/.exec(path);
    if (req.method === 'POST' && restart) {
      restarts.push(restart[1] as string);
      mode.set(restart[1] as string, 'ok');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
    const component = componentByPort.get(m?.[1] ?? '');
    if (!component) return void res.writeHead(404).end();
    if (path === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('');
    const now = mode.get(component) ?? 'ok';
    if (now === 'drop503' || now === 'reset') mode.set(component, 'ok');
    probes.push({ component, atMs: Date.now(), ok: now === 'ok' });
    if (now === 'reset') return void req.socket.destroy();
    res.writeHead(now === 'ok' ? 200 : 503).end();
  });
  await new Promise<void>((r) => exchange.listen(0, '127.0.0.1', r));
  port = (exchange.address() as AddressInfo).port;
  const config = shippedConfigText({ dir: '/tmp/unused-by-this-test', url: (shipped, path) => `http://127.0.0.1:${port}/p${shipped}${path}` });
  for (const [, name, shipped] of config.matchAll(/name: ([a-z-]+),.*\/p(\d+)\/healthz/g)) componentByPort.set(shipped as string, name as string);
  expect([...componentByPort.values()]).toEqual(expect.arrayContaining(['settlement', 'market-data']));
  h = await startHarness({ config, withRepoRules: true });
  h.warden.events.on('alert', (t) => transitions.push(t));
  await waitFor('every component probed up', () => [...componentByPort.values()].every((c) => probes.some((p) => p.component === c && p.ok)));
});

afterAll(async () => {
  await h?.stop();
  await new Promise<void>((r) => exchange.close(() => r()));
});

const probesOf = (c: string) => probes.filter((p) => p.component === c);
const firing = () => transitions.filter((t) => t.to === 'firing' || t.to === 'pending');

describe('the shipped config: one dropped probe restarts nothing (issue 14 §2, spec §4.1)', () => {
  it('a 503 on settlement (critical) and a reset connection on market-data are each confirmed by the next probe; no alert, no restart, no page', async () => {
    const before = { settlement: probesOf('settlement').length, market: probesOf('market-data').length };
    mode.set('settlement', 'drop503');
    mode.set('market-data', 'reset');
    for (const [c, n] of [['settlement', before.settlement], ['market-data', before.market]] as const) {
      const failed = await waitFor(`${c}'s dropped probe`, () => probesOf(c).slice(n).find((p) => !p.ok));
      const next = await waitFor(`${c}'s confirming probe`, () => probesOf(c).find((p) => p.atMs > failed.atMs));
      expect(next.ok).toBe(true);
      expect(next.atMs - failed.atMs).toBeLessThan(1000); // confirmed at the 250 ms pace, not after a whole interval
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect(firing().map((t) => t.alert.name)).toEqual([]);
    expect(restarts).toEqual([]);
    const audit = await h.request('GET', '/v1/audit?limit=1000');
    const acted = (audit.body.entries as Array<{ action: string }>).filter((e) => e.action.startsWith('remediation.') || e.action.startsWith('incident.'));
    expect(acted).toEqual([]);
  });

  it('control: settlement failing for good is down after 3 failed probes and restarted exactly once', async () => {
    mode.set('settlement', 'down');
    await waitFor('the restart request', () => restarts.length > 0 || undefined, 20_000);
    await waitFor('CriticalComponentDown resolved', () => transitions.some((t) => t.alert.name === 'CriticalComponentDown' && t.from === 'firing' && t.to === 'inactive'), 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(restarts).toEqual(['settlement']);
  });
});
