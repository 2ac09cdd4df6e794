import { randomUUID } from 'node:crypto';
import { pagerDutyEvent, pagerDutySignature } from '../../support/signed-requests';
import { PD_SECRET, TwoWay, waitFor } from './two-way-fixture';

/**
 * Issue 13 §1: PagerDuty webhooks v3 into a real Warden. Signatures are computed here from the
 * subscription secret; every forged, unsigned or replayed delivery is refused with 401, audited,
 * and leaves the incident exactly as it was.
 */
let tw: TwoWay;
let incidentId: string;
let dedupKey: string;

beforeAll(async () => {
  tw = await TwoWay.start();
  await tw.fire(1);
  const trigger = await waitFor('PagerDuty trigger', () => tw.pd.accepted.find((e) => e.body.event_action === 'trigger'));
  dedupKey = trigger.body.dedup_key;
  incidentId = trigger.body.payload.custom_details.incident_id;
});
afterAll(() => tw?.stop());

function deliver(body: string, headers: Record<string, string>) {
  return tw.post('/v1/integrations/pagerduty', body, { 'content-type': 'application/json', 'x-webhook-id': randomUUID(), 'x-webhook-subscription': 'PSUB01', ...headers });
}

async function expectUnchanged(status: string) {
  const inc = await tw.incident(incidentId);
  expect(inc.status).toBe(status);
}

describe('refused deliveries change nothing', () => {
  it('unsigned: 401 unauthorized, audited, incident still triggered', async () => {
    const res = await deliver(pagerDutyEvent('incident.acknowledged', dedupKey), {});
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'unauthorized', message: 'webhook signature refused: unsigned' });
    await expectUnchanged('triggered');
    expect((await tw.audit('integration.pagerduty.refused')).map((e) => e.details.reason)).toContain('unsigned');
  });

  it('signed with another secret, or over another body: 401 bad_signature', async () => {
    const body = pagerDutyEvent('incident.acknowledged', dedupKey);
    const forged = await deliver(body, { 'x-pagerduty-signature': pagerDutySignature(body, 'not-the-secret-0123456789abcdef') });
    expect(forged.status).toBe(401);
    const tampered = await deliver(body.replace('Jane Doe', 'Mallory'), { 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRET) });
    expect(tampered.status).toBe(401);
    const garbage = await deliver(body, { 'x-pagerduty-signature': 'v2=abc, t=1' });
    expect(garbage.status).toBe(401);
    await expectUnchanged('triggered');
    const reasons = (await tw.audit('integration.pagerduty.refused')).map((e) => e.details.reason);
    expect(reasons.filter((r) => r === 'bad_signature')).toHaveLength(2);
    expect(reasons).toContain('malformed_signature');
  });

  it('a signed delivery without X-Webhook-Id cannot be guarded against replay: 401', async () => {
    const body = pagerDutyEvent('incident.acknowledged', dedupKey);
    const res = await tw.post('/v1/integrations/pagerduty', body, { 'content-type': 'application/json', 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRET) });
    expect(res.status).toBe(401);
    await expectUnchanged('triggered');
  });
});

describe('acknowledged in PagerDuty', () => {
  const webhookId = randomUUID();

  it('any of several v1 signatures (secret rotation) is enough; the incident is acknowledged by the PagerDuty user', async () => {
    const body = pagerDutyEvent('incident.acknowledged', dedupKey);
    const signature = `${pagerDutySignature(body, 'old-secret-being-rotated-out-0123')}, ${pagerDutySignature(body, PD_SECRET)}`;
    const res = await deliver(body, { 'x-pagerduty-signature': signature, 'x-webhook-id': webhookId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'applied', webhookId, incident: incidentId, eventType: 'incident.acknowledged' });
    const inc = await tw.incident(incidentId);
    expect(inc).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Jane Doe (PagerDuty)', ackReason: 'acknowledged in PagerDuty (incident #42)' });
    const audited = await tw.audit('incident.acknowledge');
    expect(audited.at(-1)).toMatchObject({ actor: 'pagerduty:PJANE01', target: `incident/${incidentId}` });
  });

  it('the delivery id is kept in Redis for the replay window', async () => {
    const redis = tw.h.redis.client();
    const pttl = await redis.pttl(`warden:integrations:pagerduty:webhook:${webhookId}`);
    expect(pttl).toBeGreaterThan(71 * 3_600_000);
    expect(pttl).toBeLessThanOrEqual(72 * 3_600_000);
  });

  it('acknowledges everywhere: the PagerDuty acknowledge event, the Slack thread and an email', async () => {
    const ack = await waitFor('PagerDuty acknowledge', () => tw.pd.accepted.find((e) => e.body.event_action === 'acknowledge'));
    expect(ack.body.dedup_key).toBe(dedupKey);
    const root = tw.slack.messages.find((m) => !m.thread_ts);
    expect(root).toBeDefined();
    const reply = await waitFor('Slack thread reply', () => tw.slack.thread(root!.ts).find((m) => /ACKNOWLEDGED/.test(m.text ?? '')));
    expect(JSON.stringify(reply.blocks)).toContain('Jane Doe (PagerDuty)');
    await waitFor('ack email', () => tw.smtp.messages.find((m) => /ACKNOWLEDGED/.test(m.parsed.subject ?? '')));
  });

  it('stops escalation: past ack_timeout (1 s) nothing re-pages', async () => {
    await new Promise((r) => setTimeout(r, 2500));
    const inc = await tw.incident(incidentId);
    expect(inc.escalationLevel).toBe(0);
    expect(tw.pd.accepted.filter((e) => e.body.event_action === 'trigger')).toHaveLength(1);
  });

  it('the same delivery again (a replay) is refused with 401, audited, and changes nothing', async () => {
    const unack = pagerDutyEvent('incident.unacknowledged', dedupKey);
    const first = await deliver(unack, { 'x-pagerduty-signature': pagerDutySignature(unack, PD_SECRET), 'x-webhook-id': webhookId });
    expect(first.status).toBe(401);
    expect(first.body.error.message).toBe('this webhook delivery was already received');
    await expectUnchanged('acknowledged');
    expect((await tw.audit('integration.pagerduty.refused')).map((e) => e.details)).toContainEqual(expect.objectContaining({ reason: 'replayed', webhookId }));
  });
});

describe('unacknowledged and resolved in PagerDuty', () => {
  it('incident.unacknowledged triggers it again (and escalation resumes)', async () => {
    const body = pagerDutyEvent('incident.unacknowledged', dedupKey, null);
    const res = await deliver(body, { 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRET) });
    expect(res.status).toBe(200);
    const inc = await tw.incident(incidentId);
    expect(inc.status).toBe('triggered');
    expect(inc.acknowledgedBy).toBeUndefined();
    await waitFor('escalation after ack_timeout', async () => (await tw.incident(incidentId)).escalationLevel >= 1);
  });

  it('incident.resolved resolves it, by whom, and PagerDuty gets the resolve event', async () => {
    const body = pagerDutyEvent('incident.resolved', dedupKey, { id: 'PBOB02', summary: 'Bob Roe' });
    const res = await deliver(body, { 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRET) });
    expect(res.status).toBe(200);
    const inc = await tw.incident(incidentId);
    expect(inc.status).toBe('resolved');
    expect(inc.timeline.find((t: any) => t.kind === 'resolved')).toMatchObject({ kind: 'resolved', actor: 'pagerduty:PBOB02', message: 'resolved by Bob Roe (PagerDuty): resolved in PagerDuty (incident #42)' });
    await waitFor('PagerDuty resolve', () => tw.pd.accepted.find((e) => e.body.event_action === 'resolve' && e.body.dedup_key === dedupKey));
  });

  it('events for unknown or resolved incidents, and other event types, are answered 200 and ignored', async () => {
    for (const [type, key] of [['incident.acknowledged', dedupKey], ['incident.acknowledged', 'not-a-warden-key'], ['incident.annotated', dedupKey]] as const) {
      const body = pagerDutyEvent(type, key);
      const res = await deliver(body, { 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRET) });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ignored');
    }
    await expectUnchanged('resolved');
  });
});
