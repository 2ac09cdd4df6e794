import { createHmac, randomUUID } from 'node:crypto';

/**
 * Requests signed as PagerDuty and Slack sign them, computed here from the secret (never a bypass):
 * PagerDuty webhooks v3 `v1=` HMAC-SHA256 of the raw body; Slack `v0=` HMAC-SHA256 of `v0:{ts}:{body}`.
 */
export function pagerDutySignature(body: string, secret: string): string {
  return `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A v3 webhook envelope as PagerDuty sends it for an incident event. */
export function pagerDutyEvent(eventType: string, incidentKey: string, agent: { id: string; summary: string } | null = { id: 'PJANE01', summary: 'Jane Doe' }): string {
  return JSON.stringify({
    event: {
      id: randomUUID(),
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: new Date().toISOString(),
      agent: agent && { html_url: `https://acme.pagerduty.com/users/${agent.id}`, id: agent.id, self: `https://api.pagerduty.com/users/${agent.id}`, summary: agent.summary, type: 'user_reference' },
      client: null,
      data: {
        id: 'Q1ABCDEF', type: 'incident', self: 'https://api.pagerduty.com/incidents/Q1ABCDEF', html_url: 'https://acme.pagerduty.com/incidents/Q1ABCDEF',
        number: 42, status: eventType.slice('incident.'.length), incident_key: incidentKey, created_at: new Date().toISOString(), title: 'P0 on settlement',
        service: { id: 'PSVC01', summary: 'Exchange', type: 'service_reference' },
      },
    },
  });
}

export function slackSignature(body: string, secret: string, timestampSec: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

/** A block_actions payload for a button on `message`, form-encoded as Slack posts it. */
export function slackButtonBody(o: { actionId: string; value: string; userId: string; userName: string; channel: string; message: { ts: string; thread_ts?: string; blocks?: unknown[]; text?: string } }): string {
  const payload = {
    type: 'block_actions',
    user: { id: o.userId, username: o.userName, name: o.userName, team_id: 'T0TEAM01' },
    api_app_id: 'A0WARDEN1',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: o.message.ts, channel_id: o.channel, is_ephemeral: false, ...(o.message.thread_ts ? { thread_ts: o.message.thread_ts } : {}) },
    trigger_id: '123.456.abc',
    team: { id: 'T0TEAM01', domain: 'acme' },
    channel: { id: o.channel, name: 'alerts' },
    message: { type: 'message', ts: o.message.ts, text: o.message.text ?? '', blocks: o.message.blocks ?? [], ...(o.message.thread_ts ? { thread_ts: o.message.thread_ts } : {}) },
    response_url: 'https://hooks.slack.com/actions/T0TEAM01/1/abc',
    actions: [{ action_id: o.actionId, block_id: 'warden_actions', text: { type: 'plain_text', text: 'x' }, value: o.value, type: 'button', action_ts: String(Date.now() / 1000) }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
