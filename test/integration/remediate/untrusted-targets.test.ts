import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { restartDownRules, restartRemediationConfig } from '../../support/remediation-rules';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { auditEntries, finishedJob, stepsOf, waitFor } from '../e2e/remediation-e2e-support';

/**
 * Issue 9, as a tester found it through the public surface: with only an ingest token, pushed
 * samples must not choose what Warden restarts, nor make a restart's check pass. A real Warden
 * (real redis-server) restarts with its real http driver against a local HTTP server that records
 * every restart request; everything else is read through GET /v1/audit, /v1/incidents, /metrics.
 */
jest.setTimeout(60_000);

const INGEST = 'ingest-only-token-0123456789';
const READER = 'reader-token-0123456789abcd';
const VERIFY_INJECTION = 'zz"} == 1 or component_up{component=~".+';

// The instance placeholder is last in verify, so text pasting would let a label close the selector.
const RULES = restartDownRules({
  url: '/control/restart/{{target}}',
  cooldown: '2m',
  verify: `{expr: 'component_up{component="{{ $labels.component }}", instance="{{ $labels.instance }}"} == 1', within: 3s}`,
  onFailure: 'escalate',
});

let recorder: Server;
let recorderUrl: string;
const restarts: Array<{ url: string; body: string }> = [];
let h: WardenHarness;

beforeAll(async () => {
  recorder = createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200).end('ok');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      restarts.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"restarting":true}');
    });
  });
  await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
  recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  h = await startHarness({
    config: `
auth:
  tokens:
    - {name: exporter, token: ${INGEST}, scopes: [ingest]}
    - {name: viewer, token: ${READER}, scopes: [read]}
components:
  - {name: reporting}
  - {name: market-data}
  # Probed: its component_up is Warden's own measurement (always up here: the recorder answers /healthz).
  - {name: settlement, probe: {url: "${recorderUrl}/healthz", interval: 200ms, failure_threshold: 1}}
${restartRemediationConfig(recorderUrl)}`,
    files: { 'down.rules.yaml': RULES },
  });
  // The probe's component_up{component="settlement"} 1 is what the injected `or` would find.
  await waitFor('the settlement probe to report up', async () => (await metricValue('warden_probes_total', { component: 'settlement', outcome: 'success' })) > 0);
});

afterAll(async () => {
  await h?.stop();
  await new Promise<void>((r) => recorder.close(() => r()));
});

const push = (samples: Array<{ name: string; labels: Record<string, string>; value: number; timestamp?: number }>) => h.push(samples, INGEST);

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const text = (await h.request('GET', '/metrics', { token: READER })).body as string;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

async function p0Summaries(): Promise<string[]> {
  const res = await h.request('GET', '/v1/incidents?severity=P0', { token: READER });
  return (res.body.incidents as Array<{ summary: string }>).map((i) => i.summary);
}

describe('remediation targets are untrusted input (issue 9)', () => {
  it('a pushed component name that is not configured (sshd, ../../etc, -rf, a PromQL fragment) is refused, audited, counted and paged; no restart is sent', async () => {
    const cases = [
      { target: 'sshd', reason: 'unknown_target' },
      { target: '../../etc', reason: 'unsafe_target' },
      { target: '-rf', reason: 'unsafe_target' },
      { target: VERIFY_INJECTION, reason: 'unsafe_target' },
    ].map((c) => ({ ...c, summary: `remediation refused: ${c.reason === 'unknown_target' ? 'unknown' : 'unsafe'} target ${JSON.stringify(c.target)}` }));
    const before = { unknown_target: await metricValue('warden_remediations_refused_total', { reason: 'unknown_target' }), unsafe_target: await metricValue('warden_remediations_refused_total', { reason: 'unsafe_target' }) };
    const res = await push(cases.map((c) => ({ name: 'component_up', labels: { component: c.target, instance: 'host-1' }, value: 0 })));
    expect(res.status).toBe(200);

    const refused = await waitFor('a refusal audited for every pushed target', async () => {
      const entries = (await auditEntries(h, READER)).filter((e) => e.action === 'remediation.refused');
      return cases.every((c) => entries.some((e) => e.target === c.target)) && entries;
    });
    for (const c of cases) {
      expect(refused.find((e) => e.target === c.target)?.details).toMatchObject({ rule: 'restart-down-service', action: 'restart', reason: c.reason, message: expect.stringContaining('remediation refused') });
    }
    const summaries = await waitFor('a P0 incident for every refusal', async () => {
      const s = await p0Summaries();
      return cases.every((c) => s.some((x) => x.includes(c.summary))) && s;
    });
    expect(summaries.filter((s) => s.startsWith('remediation refused'))).toHaveLength(cases.length);
    expect(await metricValue('warden_remediations_refused_total', { reason: 'unknown_target' })).toBe(before.unknown_target + 1);
    expect(await metricValue('warden_remediations_refused_total', { reason: 'unsafe_target' })).toBe(before.unsafe_target + 3);
    // No job was ever queued for them, and nothing reached the restart endpoint.
    const jobs = (await h.request('GET', '/v1/remediations', { token: READER })).body.remediations as Array<{ target: string }>;
    expect(jobs.filter((j) => cases.some((c) => c.target === j.target))).toEqual([]);
    expect(restarts.filter((r) => !r.url.endsWith('/reporting') && !r.url.endsWith('/market-data'))).toEqual([]);

    // A configured component is still restarted, and its verify (built from the parsed template) holds once it is up.
    expect((await push([{ name: 'component_up', labels: { component: 'reporting', instance: 'host-1' }, value: 0 }])).status).toBe(200);
    await waitFor('the restart of reporting to reach the service', () => restarts.some((r) => r.url === '/control/restart/reporting'));
    expect((await push([{ name: 'component_up', labels: { component: 'reporting', instance: 'host-1' }, value: 1 }])).status).toBe(200);
    const job = await finishedJob(h, 'restart-down-service', 'reporting', 20_000, READER);
    expect(job.result).toMatchObject({ outcome: 'verified' });
    expect(restarts.map((r) => r.url).filter((u) => !u.endsWith('/market-data'))).toEqual(['/control/restart/reporting']);
  });

  it('a label value that would close the verify selector and add `or ...` stays one literal matcher value: the verify keeps failing and escalates', async () => {
    // market-data is configured, so the restart is allowed; the injection rides in the instance label.
    expect((await push([{ name: 'component_up', labels: { component: 'market-data', instance: VERIFY_INJECTION }, value: 0 }])).status).toBe(200);
    const job = await finishedJob(h, 'restart-down-service', 'market-data', 20_000, READER);
    expect(restarts.filter((r) => r.url === '/control/restart/market-data')).toHaveLength(1);
    // Text pasting made this `... or component_up{component=~".+"} == 1`, which settlement's probe satisfies.
    expect(job.result).toMatchObject({ outcome: 'verify_failed' });
    expect((job.result as { verify: { checks: number } }).verify.checks).toBeGreaterThan(1);
    const audit = await auditEntries(h, READER);
    expect(stepsOf(audit, job.id)).toEqual(['matched', 'enqueued', 'attempt', 'success', 'verify_failed', 'escalated']);
    const failed = audit.find((e) => e.details.job_id === job.id && e.action === 'remediation.verify_failed');
    expect(failed?.details.expr).toBe('component_up{component="market-data", instance="zz\\"} == 1 or component_up{component=~\\".+"} == 1');
    await waitFor('a P0 incident saying the restart did not fix it', async () => (await p0Summaries()).some((s) => s.startsWith('restart of market-data did not fix it')));
  });

  it("samples of series Warden derives itself are refused with 400 naming the sample, and nothing of the batch is applied", async () => {
    const t = Date.now();
    const ok = { name: 'queue_depth', labels: { component: 'reporting' }, value: 3, timestamp: t };
    const derived = [
      { sample: { name: 'component_up', labels: { component: 'settlement' }, value: 0, timestamp: t }, field: 'labels.component' },
      { sample: { name: 'warden_component_critical', labels: { component: 'settlement' }, value: 0, timestamp: t }, field: 'name' },
      { sample: { name: 'probe_success', labels: { component: 'settlement' }, value: 0, timestamp: t }, field: 'labels.component' },
    ];
    for (const d of derived) {
      const { status, body } = await push([ok, d.sample]);
      expect({ status, body }).toEqual({ status: 400, body: { error: { code: 'derived_series', message: expect.stringContaining(d.sample.name), index: 1, field: d.field } } });
    }
    // Had `ok` been applied, an older sample of its series would now be out of order (skipped).
    const older = await push([{ ...ok, timestamp: t - 1000 }]);
    expect({ status: older.status, body: older.body }).toEqual({ status: 200, body: { accepted: 1, skipped: 0 } });
    expect(await metricValue('warden_samples_rejected_total', { reason: 'derived_series' })).toBe(derived.length);
    // An unprobed component's component_up is still the exporter's to push.
    expect((await push([{ name: 'component_up', labels: { component: 'other' }, value: 1 }])).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    // Settlement's probe still says up: no ComponentDown, no restart.
    expect(restarts.filter((r) => r.url.endsWith('/settlement'))).toEqual([]);
  });
});
