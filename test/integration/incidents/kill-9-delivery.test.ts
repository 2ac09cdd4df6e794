import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { loadConfig } from '../../../src/config/load-config';
import { IncidentService } from '../../../src/incidents/incident-service';
import { createNotifiers } from '../../../src/notify/create-notifiers';
import { silentLogger } from '../../../src/telemetry/logger';
import { Channels, ROUTING_KEY, alert, drained, until } from './incident-fixture';

const WORKER = join(__dirname, '..', '..', '..', 'dist', 'incidents', 'delivery-worker-main.js');

/**
 * A real delivery worker process (from dist/) is frozen and killed with SIGKILL right after it
 * recorded a delivery, then restarted. Nothing recorded as sent is sent again, nothing is lost,
 * and PagerDuty sees one dedup_key per incident whatever happened in flight.
 */
describe('kill -9 of the delivery worker', () => {
  let ch: Channels;
  let dir: string;
  let service: IncidentService;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ch = await Channels.start();
    dir = mkdtempSync(join(tmpdir(), 'warden-kill9-'));
    writeFileSync(join(dir, 'pd.pem'), ch.pd.cert.certPem);
    writeFileSync(join(dir, 'smtp.pem'), ch.smtp.cert!.certPem);
    writeFileSync(join(dir, 'warden.yaml'), `
redis: {url: "${ch.redis.url}", prefix: kill9}
notify:
  receivers:
    - name: oncall
      pagerduty_configs: [{routing_key: "${ROUTING_KEY}", url: "${ch.pd.url}", tls_ca_file: "${join(dir, 'pd.pem')}"}]
      slack_configs: [{token: xoxb-test-token, channel: "#alerts", api_url: "${ch.slack.apiUrl}"}]
      email_configs: [{to: oncall@example.com, from: warden@example.com, smarthost: "${ch.smtp.smarthost}", tls_ca_file: "${join(dir, 'smtp.pem')}"}]
`);
    const config = loadConfig(join(dir, 'warden.yaml'));
    const notifiers = [...createNotifiers(config.notify.receivers).values()].flat();
    service = new IncidentService({ redis: ch.redis.client(), prefix: 'kill9', notify: config.notify, notifiers, log: silentLogger(), registry: new Registry(), clock: () => ch.clock.now, tickIntervalMs: 3_600_000, runWorker: false });
    await service.start();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await service.stop();
    await ch.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `lockMs` short for the worker to be killed (its jobs stall sooner), long for the one that must finish. */
  function startWorker(lockMs: number): ChildProcess {
    const child = spawn(process.execPath, [WORKER, join(dir, 'warden.yaml'), String(lockMs), '2'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
    return child;
  }

  it('sends nothing twice after a kill -9 and a restart, and loses nothing', async () => {
    for (let i = 0; i < 10; i++) {
      await service.onAlert(alert(`Down${i}`, { severity: 'P0', component: `c${i}` }, 'firing', ch.clock.now));
      await service.onAlert(alert(`Slow${i}`, { severity: 'P1', component: `c${i}` }, 'firing', ch.clock.now));
    }
    ch.clock.now += 30_000;
    await service.tick(); // P1 group_wait over: 10 x (Slack + email) + 10 PagerDuty pages queued
    const redis = ch.redis.client();
    const sentKeys = () => redis.keys('kill9:nflog:sent:*');

    // Slow providers (250 ms a request, 2 at a time: ~4 s for all 30) so the first worker is still
    // mid-way when it is frozen, however late this process gets to the SIGSTOP.
    for (const fake of [ch.pd, ch.slack, ch.smtp]) fake.delayMs = 250;
    const first = startWorker(1_000);
    await until(async () => (await sentKeys()).length >= 3, 'the first deliveries to be recorded', 15_000);
    first.kill('SIGSTOP'); // frozen just after recording a delivery: its job is (most likely) not yet acknowledged
    const recordedAtKill = (await sentKeys()).map((k) => k.slice('kill9:nflog:sent:'.length));
    const activeAtKill = (await service.queue.queue.getActive()).map((j) => j.id as string);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(recordedAtKill.length).toBeLessThan(30);

    for (const fake of [ch.pd, ch.slack, ch.smtp]) fake.delayMs = 0;
    startWorker(10_000);
    await drained(service, 60_000);

    // Nothing lost: every incident reached each of its channels.
    const incidents = service.openIncidents();
    const p0 = incidents.filter((i) => i.severity === 'P0');
    const p1 = incidents.filter((i) => i.severity === 'P1');
    expect(new Set(ch.pd.accepted.map((e) => e.body.dedup_key))).toEqual(new Set(p0.map((i) => i.fingerprint)));
    const slackByIncident = countBy(ch.slack.messages.map((m) => JSON.stringify(m.blocks).match(/Incident `(inc_[^`\\]+)`/)?.[1] ?? '?'));
    const mailByIncident = countBy(ch.smtp.messages.map((m) => String(m.parsed.headers.get('x-warden-incident'))));
    expect(Object.keys(slackByIncident).sort()).toEqual(p1.map((i) => i.id).sort());
    expect(Object.keys(mailByIncident).sort()).toEqual(p1.map((i) => i.id).sort());

    // Nothing recorded as sent before the kill was sent again.
    for (const key of recordedAtKill) {
      const [incidentId, , , channel] = key.split('.');
      const inc = incidents.find((i) => i.id === incidentId)!;
      if (channel === 'slack') expect(slackByIncident[incidentId!]).toBe(1);
      if (channel === 'email') expect(mailByIncident[incidentId!]).toBe(1);
      if (channel === 'pagerduty') expect(ch.pd.accepted.filter((e) => e.body.dedup_key === inc.fingerprint)).toHaveLength(1);
    }
    // A repeat is only possible for a job caught between the channel's answer and the record
    // (PagerDuty folds it by dedup_key; the same Message-ID repeats for email).
    const duplicates = ch.pd.accepted.length - 10 + ch.slack.messages.length - 10 + ch.smtp.messages.length - 10;
    expect(duplicates).toBeLessThanOrEqual(activeAtKill.filter((id) => !recordedAtKill.includes(id)).length);
    expect(ch.pd.accepted.every((e) => e.body.event_action === 'trigger')).toBe(true);
  }, 120_000);
});

function countBy(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of list) out[x] = (out[x] ?? 0) + 1;
  return out;
}
