import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { RequestError, errorMessage, isTransient } from '../errors';
import type { AuditSink } from '../incidents/incident-audit';
import { within } from '../runtime/within';
import { cleanText, openIncidentByDedupKey, type IncidentActions } from './incident-actions';
import { checkPagerDutySignature } from './pagerduty-signature';

export interface PagerDutyWebhookOptions {
  redis: Redis;
  prefix: string;
  secrets: readonly string[];
  /** How long a delivery id is remembered (replays within it are refused). */
  replayWindowMs: number;
  incidents: IncidentActions;
  audit: AuditSink;
  log: Logger;
  /** PagerDuty waits 5 s; answer 202 before that and let the change finish. @defaultValue 4000 */
  answerWithinMs?: number;
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  remoteAddress?: string;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

const HANDLED = new Set(['incident.acknowledged', 'incident.unacknowledged', 'incident.resolved']);
const WEBHOOK_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Inbound PagerDuty webhooks v3 (issue 13 §1). A delivery is believed only when one of its
 * `v1=` signatures matches one of our secrets; its X-Webhook-Id is then claimed in Redis (SET NX
 * with the replay window), so a replay, or PagerDuty's at-least-once redelivery, changes nothing.
 * Refusals are 401 and audited. Acknowledged / unacknowledged / resolved are applied to the
 * Warden incident whose fingerprint PagerDuty holds as the incident_key (our dedup_key).
 */
export class PagerDutyWebhook {
  readonly #o: PagerDutyWebhookOptions;

  constructor(opts: PagerDutyWebhookOptions) {
    this.#o = opts;
  }

  #seenKey = (id: string) => `${this.#o.prefix}:integrations:pagerduty:webhook:${id}`;

  async receive(req: WebhookRequest): Promise<WebhookAnswer> {
    const webhookId = typeof req.headers['x-webhook-id'] === 'string' ? req.headers['x-webhook-id'] : undefined;
    const sig = checkPagerDutySignature(req.headers['x-pagerduty-signature'], req.rawBody, this.#o.secrets);
    if (!sig.ok) return this.#refuse(sig.reason, webhookId, req);
    if (webhookId === undefined || !WEBHOOK_ID.test(webhookId)) return this.#refuse('no_webhook_id', webhookId, req);
    const event = parseEvent(req.rawBody);
    if (typeof event === 'string') throw new RequestError(400, 'invalid_body', event);
    const claimed = await this.#o.redis.set(this.#seenKey(webhookId), String(Date.now()), 'PX', this.#o.replayWindowMs, 'NX');
    if (claimed !== 'OK') return this.#refuse('replayed', webhookId, req);
    try {
      const applied = this.#apply(event, webhookId);
      const answer = await within(applied, this.#o.answerWithinMs ?? 4000, undefined);
      if (answer) return answer;
      applied.catch((err: unknown) => this.#o.log.error({ err: errorMessage(err), webhookId }, 'PagerDuty webhook applied late and failed'));
      return { status: 202, body: { status: 'accepted', webhookId } };
    } catch (err) {
      // Not applied: forget the delivery id so PagerDuty's retry (it retries 5xx) is taken.
      await this.#o.redis.del(this.#seenKey(webhookId));
      if (isTransient(err)) throw new RequestError(503, 'unavailable', `could not apply the webhook now: ${errorMessage(err)}`);
      throw err;
    }
  }

  async #apply(event: PagerDutyEvent, webhookId: string): Promise<WebhookAnswer> {
    if (!HANDLED.has(event.type)) return ignored(webhookId, `event type ${event.type} is not acted on`);
    if (event.incidentKey === undefined) return ignored(webhookId, 'the incident has no incident_key (not opened by Warden)');
    const inc = openIncidentByDedupKey(this.#o.incidents, event.incidentKey);
    if (!inc) return ignored(webhookId, `no open Warden incident has dedup key ${event.incidentKey}`);
    const who = { by: event.agentName ? `${event.agentName} (PagerDuty)` : 'PagerDuty', actor: event.agentId ? `pagerduty:${event.agentId}` : 'pagerduty' };
    const verb = event.type.slice('incident.'.length);
    const reason = `${verb} in PagerDuty${event.pdIncident ? ` (incident ${event.pdIncident})` : ''}`;
    try {
      if (event.type === 'incident.acknowledged') await this.#o.incidents.acknowledge(inc.id, { ...who, reason });
      else if (event.type === 'incident.unacknowledged') await this.#o.incidents.unacknowledge(inc.id, { ...who, reason });
      else await this.#o.incidents.resolve(inc.id, { by: who.by, reason, actor: who.actor });
    } catch (err) {
      // Resolved meanwhile (by Warden or another delivery): nothing left to do.
      if (err instanceof RequestError && err.status === 409) return ignored(webhookId, err.message);
      throw err;
    }
    return { status: 200, body: { status: 'applied', webhookId, incident: inc.id, eventType: event.type } };
  }

  async #refuse(reason: string, webhookId: string | undefined, req: WebhookRequest): Promise<never> {
    this.#o.log.warn({ reason, webhookId, remote: req.remoteAddress }, 'PagerDuty webhook refused');
    await this.#o.audit.append({ actor: 'pagerduty', action: 'integration.pagerduty.refused', target: 'integration/pagerduty', details: { reason, webhookId: webhookId?.slice(0, 128) ?? null, remoteAddress: req.remoteAddress ?? null } });
    throw new RequestError(401, 'unauthorized', reason === 'replayed' ? 'this webhook delivery was already received' : `webhook signature refused: ${reason}`);
  }
}

interface PagerDutyEvent {
  type: string;
  incidentKey?: string;
  pdIncident?: string;
  agentId?: string;
  agentName?: string;
}

/** The fields of a v3 event envelope Warden reads; anything else in it is ignored. */
function parseEvent(raw: Buffer): PagerDutyEvent | string {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return `malformed JSON: ${errorMessage(err)}`;
  }
  const event = (body as { event?: Record<string, unknown> } | null)?.event;
  if (typeof event !== 'object' || event === null || typeof event.event_type !== 'string') return 'not a PagerDuty v3 webhook (no event.event_type)';
  const data = (event.data ?? {}) as Record<string, unknown>;
  const agent = (event.agent ?? {}) as Record<string, unknown>;
  return {
    type: cleanText(event.event_type, 100) ?? 'unknown',
    incidentKey: typeof data.incident_key === 'string' && data.incident_key.length <= 255 ? data.incident_key : undefined,
    pdIncident: cleanText(data.number !== undefined ? `#${String(data.number)}` : data.id, 40),
    agentId: cleanText(agent.id, 40),
    agentName: cleanText(agent.summary),
  };
}

function ignored(webhookId: string, reason: string): WebhookAnswer {
  return { status: 200, body: { status: 'ignored', webhookId, reason } };
}
