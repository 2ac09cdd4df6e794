import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack } from '../../support/fake-slack';
import { OtlpReceiver, type ReceivedSpan } from '../../support/otlp-receiver';
import { startRedis, type TestRedis } from '../../support/redis-server';

const DRIVER = join(__dirname, 'fixtures', 'traced-warden.js');

const RULES = `
groups:
  - name: exchange
    rules:
      - alert: InvariantViolation
        expr: increase(invariant_violations_total[5m]) > 0 or invariant_violations_total > 0
        labels: { severity: P1, health: red }
        annotations: { summary: "invariant violated on {{ $labels.component }}" }
      - alert: SettlementSlow
        expr: settlement_lag_seconds > 5
        labels: { severity: P2, health: yellow }
        annotations: { summary: "settlement lag {{ $value }}s" }
remediations:
  - name: restart-on-violation
    on: { alert: InvariantViolation }
    action: restart
    target: "{{ $labels.component }}"
    params: { driver: command, argv: ["${process.execPath}", "-e", "process.exit(0)"] }
    cooldown: 0s
`;

const config = (slackApi: string) => `
rules: [rules.yaml]
components:
  - { name: settlement, critical: true }
notify:
  receivers:
    - name: oncall
      slack_configs: [{ token: xoxb-test-token, channel: "#alerts", api_url: "${slackApi}" }]
  route:
    receiver: oncall
    group_wait: 0s
    routes:
      - { matchers: ['severity="P2"'], group_wait: 1s }
`;

let redis: TestRedis;
let slack: FakeSlack;
let receiver: OtlpReceiver;
let child: ChildProcess;
let dir: string;
let url: string;
let stderr = '';

beforeAll(async () => {
  [redis, slack, receiver] = await Promise.all([startRedis(), FakeSlack.start(), OtlpReceiver.start()]);
  dir = mkdtempSync(join(tmpdir(), 'warden-trace-'));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  writeFileSync(join(dir, 'warden.yaml'), config(slack.apiUrl));
  child = spawn(process.execPath, [DRIVER, join(dir, 'warden.yaml'), redis.url], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d) => (stderr += String(d)));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`warden exited ${code}: ${stderr}`)));
  });
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await Promise.all([slack?.stop(), receiver?.stop()]);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const one = (spans: readonly ReceivedSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0]!;
};

describe('one trace follows a signal through Warden', () => {
  it('push -> evaluation -> alert -> incident -> notification, and -> remediation job -> executor, all in one trace with correct parents', async () => {
    const res = await fetch(`${url}/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ samples: [{ name: 'invariant_violations_total', labels: { component: 'settlement' }, value: 1 }] }),
    });
    expect(res.status).toBe(200);
    const wanted = ['ingest.push', 'evaluate.samples', 'alert.transition', 'incident.open', 'notify.slack', 'remediation.enqueue', 'remediation.job', 'executor.restart'];
    await receiver.waitFor((spans) => wanted.every((n) => spans.some((s) => s.name === n)), `spans ${wanted.join(', ')}`, 20_000);
    const spans = receiver.spans;
    const push = one(spans, 'ingest.push');
    const evaluate = one(spans, 'evaluate.samples');
    const transition = one(spans, 'alert.transition');
    const incident = one(spans, 'incident.open');
    const notify = one(spans, 'notify.slack');
    const enqueue = one(spans, 'remediation.enqueue');
    const job = one(spans, 'remediation.job');
    const executor = one(spans, 'executor.restart');

    for (const s of [evaluate, transition, incident, notify, enqueue, job, executor]) expect(s.traceId).toBe(push.traceId);
    expect(push.parentSpanId).toBe('');
    expect(evaluate.parentSpanId).toBe(push.spanId);
    expect(transition.parentSpanId).toBe(evaluate.spanId);
    expect(incident.parentSpanId).toBe(transition.spanId);
    expect(notify.parentSpanId).toBe(incident.spanId);
    expect(enqueue.parentSpanId).toBe(transition.spanId);
    expect(job.parentSpanId).toBe(enqueue.spanId);
    expect(executor.parentSpanId).toBe(job.spanId);

    expect(push).toMatchObject({ kind: 2, serviceName: 'warden', attributes: { 'warden.samples.accepted': 1 } });
    expect(transition.attributes).toMatchObject({ 'warden.alert.name': 'InvariantViolation', 'warden.alert.to': 'firing', 'warden.alert.component': 'settlement', 'warden.trigger': 'push' });
    expect(incident.attributes).toMatchObject({ 'warden.incident.new': true, 'warden.incident.severity': 'P1' });
    expect(notify.attributes).toMatchObject({ 'warden.notify.transition': 'trigger', 'warden.notify.receiver': 'oncall' });
    expect(enqueue).toMatchObject({ kind: 4, attributes: { 'warden.remediation.rule': 'restart-on-violation', 'warden.remediation.target': 'settlement' } });
    expect(job).toMatchObject({ kind: 5, attributes: { 'warden.remediation.attempt': 1, 'warden.remediation.outcome': 'succeeded' } });
    expect(executor.status.code).toBe(0);
    expect(slack.messages).toHaveLength(1);
  }, 30_000);

  it('a notification held for group_wait continues the trace of the alert that opened the incident', async () => {
    const traceId = 'c'.repeat(32);
    const res = await fetch(`${url}/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${'d'.repeat(16)}-01` },
      body: JSON.stringify({ samples: [{ name: 'settlement_lag_seconds', labels: { component: 'settlement' }, value: 9 }] }),
    });
    expect(res.status).toBe(200);
    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    await receiver.waitFor(() => inTrace().some((s) => s.name === 'notify.slack'), 'notify.slack in the pusher trace', 20_000);
    const spans = inTrace();
    const open = one(spans, 'incident.open');
    const flush = one(spans, 'incident.flush');
    const notify = one(spans, 'notify.slack');
    expect(flush.parentSpanId).toBe(open.spanId);
    expect(notify.parentSpanId).toBe(flush.spanId);
    expect(BigInt(flush.startTimeUnixNano) - BigInt(open.startTimeUnixNano)).toBeGreaterThanOrEqual(1_000_000_000n);
    expect(slack.messages.at(-1)!.text).toContain('settlement lag 9s');
  }, 30_000);

  it('a traced pusher (traceparent header) becomes the parent of ingest.push', async () => {
    const traceId = 'a'.repeat(32);
    const res = await fetch(`${url}/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${'b'.repeat(16)}-01` },
      body: JSON.stringify({ samples: [{ name: 'quiet_metric', labels: { component: 'settlement' }, value: 1 }] }),
    });
    expect(res.status).toBe(200);
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'ingest.push' && s.traceId === traceId), 'the continued push span');
    expect(receiver.spans.find((s) => s.name === 'ingest.push' && s.traceId === traceId)!.parentSpanId).toBe('b'.repeat(16));
  });

  it('a rejected push is an ingest.push span with error status', async () => {
    const res = await fetch(`${url}/v1/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ samples: [{ name: 'bad name', value: 1 }] }) });
    expect(res.status).toBe(400);
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'ingest.push' && s.status.code === 2), 'an error push span');
  });
});
