import { PermanentError, TransientError } from '../../../src/errors';
import { PagerDutyNotifier } from '../../../src/notify/pagerduty/pagerduty-notifier';
import { FakePagerDuty } from '../../support/fake-pagerduty';
import { ROUTING_KEY, notification } from './notification-fixture';

describe('PagerDutyNotifier through pdjs to a local HTTPS Events API', () => {
  let pd: FakePagerDuty;
  let notifier: PagerDutyNotifier;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    pd = await FakePagerDuty.start();
  });
  afterAll(async () => {
    await pd.stop();
  });
  beforeEach(() => {
    pd.events.length = 0;
    pd.requests = 0;
    pd.mode = 'ok';
    notifier = new PagerDutyNotifier({ receiver: 'oncall', routingKey: ROUTING_KEY, url: pd.url, caPem: pd.cert.certPem, timeoutMs: 2000, rateLimitRetryMs: 5 });
  });

  it('a P0 trigger arrives once as a critical event with dedup_key = the incident fingerprint', async () => {
    const result = await notifier.send(notification(), signal);
    expect(result).toEqual({ channel: 'pagerduty', ref: 'fp-4f2a9c0d1e', detail: { status: 202, message: 'Event processed', action: 'trigger' } });
    expect(pd.accepted).toHaveLength(1);
    const body = pd.accepted[0]!.body;
    expect(body).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'fp-4f2a9c0d1e',
      payload: { summary: 'Matching engine down', source: 'me-1:9100', severity: 'critical', component: 'matching-engine', class: 'MatchingEngineDown', timestamp: '2023-11-14T22:13:20.000Z' },
    });
    expect(body.payload.custom_details).toMatchObject({
      incident_id: 'inc-1',
      labels: { alertname: 'MatchingEngineDown', component: 'matching-engine' },
      alerts: [{ name: 'MatchingEngineDown', state: 'firing', active_at: '2023-11-14T22:13:20.000Z' }],
      alerts_total: 1,
    });
    expect(pd.accepted[0]!.headers['user-agent']).toMatch(/^pdjs\//);
  });

  it.each([
    ['P0', 'critical'],
    ['P1', 'error'],
    ['P2', 'warning'],
    ['P3', 'info'],
  ] as const)('severity %s is sent as PagerDuty severity %s', async (severity, expected) => {
    await notifier.send(notification({ severity }), signal);
    expect(pd.accepted[0]!.body.payload.severity).toBe(expected);
  });

  it('acknowledge and resolve reuse the trigger dedup_key, so PagerDuty updates one incident', async () => {
    await notifier.send(notification(), signal);
    await notifier.send(notification({ transition: 'acknowledge', status: 'acknowledged', acknowledgedBy: 'alice' }), signal);
    await notifier.send(notification({ transition: 'resolve', status: 'resolved' }), signal);
    expect(pd.accepted.map((e) => [e.body.event_action, e.body.dedup_key])).toEqual([
      ['trigger', 'fp-4f2a9c0d1e'],
      ['acknowledge', 'fp-4f2a9c0d1e'],
      ['resolve', 'fp-4f2a9c0d1e'],
    ]);
    expect(pd.accepted[1]!.body.payload.custom_details.acknowledged_by).toBe('alice');
  });

  it('an escalation re-triggers the same dedup_key with its level in the details', async () => {
    await notifier.send(notification({ transition: 'escalate', escalationLevel: 2 }), signal);
    expect(pd.accepted[0]!.body).toMatchObject({ event_action: 'trigger', dedup_key: 'fp-4f2a9c0d1e' });
    expect(pd.accepted[0]!.body.payload.custom_details.escalation_level).toBe(2);
  });

  it('an event PagerDuty rejects as invalid (400) is a PermanentError naming why', async () => {
    const bad = new PagerDutyNotifier({ receiver: 'oncall', routingKey: 'too-short', url: pd.url, caPem: pd.cert.certPem });
    const err = await bad.send(notification(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/400: Event object is invalid \('routing_key' must be a 32 character/);
  });

  it('a 500 (an HTML error page) is a TransientError', async () => {
    pd.mode = 'error-500';
    const err = await notifier.send(notification(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(pd.events.map((e) => e.status)).toEqual([500]);
  });

  it('a 429 is a TransientError after pdjs made its own three quick re-sends', async () => {
    pd.mode = 'rate-limit-429';
    const err = await notifier.send(notification(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/429/);
    // pdjs always re-sends a 429 three times; the count is pinned so a pdjs upgrade that changes it shows up.
    expect(pd.requests).toBe(4);
  });

  it('a server that never answers becomes a TransientError at the receiver timeout', async () => {
    pd.mode = 'hang';
    const quick = new PagerDutyNotifier({ receiver: 'oncall', routingKey: ROUTING_KEY, url: pd.url, caPem: pd.cert.certPem, timeoutMs: 200 });
    const err = await quick.send(notification(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/timed out after 200 ms/);
  });

  it('a refused connection is a TransientError', async () => {
    const nowhere = new PagerDutyNotifier({ receiver: 'oncall', routingKey: ROUTING_KEY, url: 'https://127.0.0.1:1', caPem: pd.cert.certPem });
    await expect(nowhere.send(notification(), signal)).rejects.toThrow(TransientError);
  });

  it('without trusting the test CA the self-signed certificate is refused (TLS stays verified)', async () => {
    const untrusting = new PagerDutyNotifier({ receiver: 'oncall', routingKey: ROUTING_KEY, url: pd.url });
    await expect(untrusting.send(notification(), signal)).rejects.toThrow(/self-signed certificate|unable to verify/);
    expect(pd.events).toHaveLength(0);
  });
});
