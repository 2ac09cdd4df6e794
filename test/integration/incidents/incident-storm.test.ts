import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { createApp } from '../../../src/http/app';
import { Authenticator } from '../../../src/http/auth';
import { incidentRoutes } from '../../../src/http/routes/incidents';
import type { IncidentService } from '../../../src/incidents/incident-service';
import { silentLogger } from '../../../src/telemetry/logger';
import { Channels, alert, drained, notifyConfig } from './incident-fixture';

/** What redis-server has read from all its clients so far (INFO stats). */
async function redisInputBytes(client: Redis): Promise<number> {
  const m = /total_net_input_bytes:(\d+)/.exec(await client.info('stats'));
  if (!m) throw new Error('INFO stats has no total_net_input_bytes');
  return Number(m[1]);
}

describe('an alert storm on one incident (issue 9)', () => {
  let ch: Channels;
  let service: IncidentService | undefined;
  let server: Server | undefined;

  beforeEach(async () => {
    ch = await Channels.start();
  });
  afterEach(async () => {
    server?.closeAllConnections();
    if (server) await new Promise((r) => server?.close(r));
    server = undefined;
    await service?.stop();
    service = undefined;
    await ch.stop();
  });

  async function serve(s: IncidentService, maxAlerts: number): Promise<string> {
    const auth = new Authenticator([]);
    const app = createApp({ log: silentLogger(), registry: new Registry(), ready: () => ({ ready: true, checks: {} }), routers: [incidentRoutes({ auth, incidents: s, maxAlerts })] });
    server = createServer(app);
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('writes each alert once (Redis input per alert stays flat as the incident grows), lists max_alerts with counts, and reloads them all', async () => {
    const notify = notifyConfig('notify:\n  max_alerts: 50\n');
    service = ch.service({ notify });
    await service.start();
    const probe = ch.redis.client();
    const half = 1500;
    const push = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await service?.onAlert(alert('DataIntegrityViolation', { severity: 'P0', component: 'matching-engine', instance: `i${i}` }, 'firing', ch.clock.now, { summary: `violation on i${i}` }));
      }
    };
    const b0 = await redisInputBytes(probe);
    await push(0, half);
    const b1 = await redisInputBytes(probe);
    await push(half, 2 * half);
    const b2 = await redisInputBytes(probe);
    const firstHalf = (b1 - b0) / half;
    const secondHalf = (b2 - b1) / half;
    // One incident document rewritten per alert grew with the incident: the second half cost ~3x
    // the first, and ~1 MB per alert at 3,000. Now each alert is one hash field plus a small document.
    expect(secondHalf).toBeLessThan(firstHalf * 1.5);
    expect(secondHalf).toBeLessThan(8 * 1024);

    const [inc] = service.openIncidents();
    expect(service.openIncidents()).toHaveLength(1);
    expect(inc?.alertCounts).toMatchObject({ total: 3000, firing: 3000 });
    expect(inc?.summary).toBe('DataIntegrityViolation (3000 alerts)');

    // group_interval (60 s for P0) later the grown incident is re-sent: 50 alerts listed, 3000 counted.
    ch.clock.now += 61_000;
    await service.tick();
    await drained(service);
    const last = ch.pd.accepted.at(-1)?.body as { payload: { custom_details: { alerts: unknown[]; alerts_total: number } } };
    expect(last.payload.custom_details.alerts_total).toBe(3000);
    expect(last.payload.custom_details.alerts.length).toBeLessThanOrEqual(50);

    const base = await serve(service, 50);
    const one = (await (await fetch(`${base}/v1/incidents/${inc?.id}`)).json()) as { alerts: Array<{ state: string }>; alertsTotal: number; alertsFiring: number; truncatedAlerts: number };
    expect(one.alerts).toHaveLength(50);
    expect(one).toMatchObject({ alertsTotal: 3000, alertsFiring: 3000, truncatedAlerts: 2950 });
    const list = (await (await fetch(`${base}/v1/incidents`)).json()) as { incidents: Array<{ alerts: unknown[]; alertsTotal: number; truncatedAlerts: number }> };
    expect(list.incidents[0]).toMatchObject({ alertsTotal: 3000, truncatedAlerts: 2950 });
    expect(list.incidents[0]?.alerts).toHaveLength(50);

    // A restarted service reads every alert back (they are the incident's, not only the listed ones).
    await service.stop();
    service = ch.service({ notify });
    await service.start();
    const [reloaded] = service.openIncidents();
    expect(reloaded?.id).toBe(inc?.id);
    expect(Object.keys(reloaded?.alerts ?? {})).toHaveLength(3000);
    expect(reloaded?.alertCounts).toMatchObject({ total: 3000, firing: 3000 });

    // Resolving the storm is linear too, and the last alert standing names the incident again.
    for (let i = 0; i < 2999; i++) await service.onAlert(alert('DataIntegrityViolation', { severity: 'P0', component: 'matching-engine', instance: `i${i}` }, 'inactive', ch.clock.now));
    expect(service.openIncidents()[0]?.summary).toBe('violation on i2999');
    await service.onAlert(alert('DataIntegrityViolation', { severity: 'P0', component: 'matching-engine', instance: 'i2999' }, 'inactive', ch.clock.now));
    expect(service.openIncidents()).toHaveLength(0);
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    const base2 = await serve(service, 50);
    const resolved = (await (await fetch(`${base2}/v1/incidents?status=resolved`)).json()) as { incidents: Array<{ alerts: Array<{ state: string }>; alertsTotal: number; alertsFiring: number }> };
    expect(resolved.incidents[0]).toMatchObject({ alertsTotal: 3000, alertsFiring: 0 });
    expect(resolved.incidents[0]?.alerts).toHaveLength(50);
    expect(resolved.incidents[0]?.alerts.every((a) => a.state === 'resolved')).toBe(true);
  }, 240_000);
});
