import type { ConsoleSnapshot } from '../../../src/http/console/console-snapshot';
import type { HealthTransition } from '../../../src/health/health-types';
import type { Alert } from '../../../src/rules/alert';
import { exchangeHealth, startConsoleHarness, type ConsoleHarness } from './console-harness';
import { SseClient } from './sse-client';

const READ = 'read-token-0123456789abcdef';
const INGEST = 'ingest-token-0123456789abcd';
const TOKENS = [
  { name: 'viewer', token: READ, scopes: ['read' as const] },
  { name: 'pusher', token: INGEST, scopes: ['ingest' as const] },
];

const firingAlert: Alert = {
  fingerprint: 'f1', name: 'ReplicationLagHigh', group: 'exchange', file: 'rules/exchange.rules.yaml',
  labels: { alertname: 'ReplicationLagHigh', component: 'database', health: 'yellow', severity: 'P2' },
  annotations: { summary: 'replication lag 3 s' }, state: 'firing', activeAtMs: 1_000, firedAtMs: 2_000, value: 3,
};

async function untilNoListeners(h: ConsoleHarness): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (h.events.listenerCount('health') + h.events.listenerCount('alert') > 0) {
    if (Date.now() > deadline) throw new Error('listeners were not removed');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /v1/stream without tokens', () => {
  let h: Awaited<ReturnType<typeof startConsoleHarness>>;
  beforeAll(async () => {
    h = await startConsoleHarness({ heartbeatMs: 100 });
  });
  afterAll(() => h?.stop());
  afterEach(() => untilNoListeners(h));

  it('before the first evaluation the snapshot says "no health", not Green', async () => {
    const c = await SseClient.open(`${h.url}/v1/stream`);
    await c.waitFor('snapshot', (x) => x.events.length > 0);
    expect(c.events[0]?.event).toBe('snapshot');
    expect((c.events[0]?.data as ConsoleSnapshot).health).toBeNull();
    c.close();
  });

  it('sends the current health first, then a transition as it happens', async () => {
    await h.publish(exchangeHealth(Date.now(), { database: { status: 'yellow', summary: 'replication lag 3 s' } }));
    h.alerts = [firingAlert];
    const c = await SseClient.open(`${h.url}/v1/stream`);
    expect(c.status).toBe(200);
    expect(c.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await c.waitFor('snapshot', (x) => x.events.length > 0);
    const snap = c.events[0]?.data as ConsoleSnapshot;
    expect(c.events[0]?.event).toBe('snapshot');
    expect(snap.health?.status).toBe('yellow');
    expect(snap.health?.components.find((x) => x.name === 'database')?.reasons[0]?.summary).toBe('replication lag 3 s');
    expect(snap.alerts.map((a) => [a.name, a.state, a.labels.component])).toEqual([['ReplicationLagHigh', 'firing', 'database']]);

    await h.publish(exchangeHealth(Date.now(), { database: { status: 'red', summary: 'replication lag 12 s' } }));
    await c.waitFor('health transitions', (x) => x.events.filter((e) => e.event === 'health').length >= 2);
    const transitions = c.events.filter((e) => e.event === 'health').map((e) => e.data as HealthTransition);
    expect(transitions.map((t) => [t.component, t.from, t.to])).toEqual([['database', 'yellow', 'red'], [null, 'yellow', 'red']]);
    expect(transitions[0]?.reasons[0]?.summary).toBe('replication lag 12 s');
    c.close();
  });

  it('forwards alert transitions in the console shape', async () => {
    const c = await SseClient.open(`${h.url}/v1/stream`);
    await c.waitFor('snapshot', (x) => x.events.length > 0);
    h.events.emit('alert', { alert: firingAlert, from: 'pending', to: 'firing', atMs: 2_000 });
    await c.waitFor('alert', (x) => x.events.some((e) => e.event === 'alert'));
    expect(c.events.find((e) => e.event === 'alert')?.data).toEqual({
      from: 'pending', to: 'firing', atMs: 2_000,
      alert: { fingerprint: 'f1', name: 'ReplicationLagHigh', state: 'firing', labels: firingAlert.labels, annotations: firingAlert.annotations, value: 3, activeAtMs: 1_000, firedAtMs: 2_000 },
    });
    c.close();
  });

  it('sends heartbeat comments while nothing happens', async () => {
    const c = await SseClient.open(`${h.url}/v1/stream`);
    await c.waitFor('two heartbeats', (x) => x.comments.filter((k) => k === 'heartbeat').length >= 2);
    c.close();
  });

  it('removes its bus listeners when the client disconnects', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => SseClient.open(`${h.url}/v1/stream`)));
    await Promise.all(clients.map((c) => c.waitFor('snapshot', (x) => x.events.length > 0)));
    expect(h.events.listenerCount('health')).toBe(3);
    expect(h.events.listenerCount('alert')).toBe(3);
    for (const c of clients) c.close();
    await untilNoListeners(h);
    expect(h.events.listenerCount('rules-loaded')).toBe(0);
  });
});

describe('GET /v1/stream with tokens configured', () => {
  let h: Awaited<ReturnType<typeof startConsoleHarness>>;
  beforeAll(async () => {
    h = await startConsoleHarness({ tokens: TOKENS });
    await h.publish(exchangeHealth(Date.now()));
  });
  afterAll(() => h?.stop());

  async function body(c: SseClient): Promise<unknown> {
    await c.waitFor('the response to end', (x) => x.ended);
    return JSON.parse(c.text);
  }

  it('401 without a token, or with a wrong ?access_token, in the one error shape; nothing subscribed', async () => {
    for (const path of ['/v1/stream', '/v1/stream?access_token=wrong-token-0123456789', '/v1/stream?access_token=']) {
      const c = await SseClient.open(`${h.url}${path}`);
      expect(c.status).toBe(401);
      expect(await body(c)).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid bearer token' } });
    }
    expect(h.events.listenerCount('health')).toBe(0);
  });

  it('403 for a token without the read scope', async () => {
    const c = await SseClient.open(`${h.url}/v1/stream?access_token=${INGEST}`);
    expect(c.status).toBe(403);
    expect(await body(c)).toEqual({ error: { code: 'forbidden', message: 'this token lacks the "read" scope' } });
  });

  it('accepts the read token as ?access_token (for EventSource) and as a bearer header', async () => {
    for (const c of [await SseClient.open(`${h.url}/v1/stream?access_token=${READ}`), await SseClient.open(`${h.url}/v1/stream`, { Authorization: `Bearer ${READ}` })]) {
      expect(c.status).toBe(200);
      await c.waitFor('snapshot', (x) => x.events.length > 0);
      expect((c.events[0]?.data as ConsoleSnapshot).health?.status).toBe('green');
      c.close();
    }
    await untilNoListeners(h);
  });

  it('?access_token is honoured on /v1/stream only', async () => {
    expect((await fetch(`${h.url}/v1/health?access_token=${READ}`)).status).toBe(401);
    expect((await fetch(`${h.url}/v1/health`, { headers: { Authorization: `Bearer ${READ}` } })).status).toBe(200);
  });

  it('serves the console page without a token, with a strict content security policy', async () => {
    const res = await fetch(`${h.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; .*connect-src 'self'/);
    expect(await res.text()).toContain('<title>Warden</title>');
  });
});

describe('a client that cannot keep up', () => {
  let h: Awaited<ReturnType<typeof startConsoleHarness>>;
  beforeAll(async () => {
    h = await startConsoleHarness({ maxBufferedBytes: 64 * 1024 });
  });
  afterAll(() => h?.stop());

  it('is dropped instead of growing the server memory, and its listeners go', async () => {
    const c = await SseClient.open(`${h.url}/v1/stream`);
    await c.waitFor('snapshot', (x) => x.events.length > 0);
    c.res.pause(); // stop reading: the kernel buffers fill, then the server's
    const big: HealthTransition = { component: 'database', from: 'green', to: 'red', atMs: 1, reasons: [{ kind: 'alert', status: 'red', summary: 'x'.repeat(16 * 1024) }] };
    for (let i = 0; i < 4000 && h.events.listenerCount('health') > 0; i++) {
      h.events.emit('health', big);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await untilNoListeners(h);
    c.res.resume();
    await c.waitFor('the connection to end', (x) => x.ended);
  });
});
