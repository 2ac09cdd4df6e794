import type { Logger } from 'pino';
import { RequestError, errorMessage } from '../errors';
import type { AuditSink } from '../incidents/incident-audit';
import type { Incident } from '../incidents/incident';
import { SLACK_ACTION, SLACK_ACTION_IDS, approvalButtons, blocksAfterAction, incidentButtons } from '../notify/slack/slack-buttons';
import { cleanText, type IncidentActions } from './incident-actions';
import { silenceForIncident } from './incident-silence';
import type { ApprovalDecider, SlackApprovers } from './slack-approval';
import { mayApproveFromSlack } from './slack-approval';
import { checkSlackSignature } from './slack-signature';
import type { SlackWebApi } from './slack-web-api';
import type { WebhookAnswer, WebhookRequest } from './pagerduty-webhook';

type Block = Record<string, unknown>;

export interface SlackInteractivityOptions {
  signingSecret: string;
  maxAgeMs: number;
  api: SlackWebApi;
  incidents: IncidentActions;
  /** Remediation approvals (issue 13 §2); without it Approve / Reject answer that approvals are off. */
  approvals?: ApprovalDecider;
  /** Who may approve when a job's rule names no Slack approver. */
  approvers: SlackApprovers;
  audit: AuditSink;
  log: Logger;
  clock: () => number;
}

/** A pressed button, from the block_actions payload. */
export interface SlackPress {
  actionId: string;
  value: string;
  user: { id: string; name: string };
  channel?: string;
  messageTs?: string;
  threadTs?: string;
  blocks?: Block[];
}

/** What an action did: the line for the message and thread, and the buttons left. */
interface ActionResult {
  line: string;
  buttons?: Block;
  /** The standard follow-up notification already says it in the thread (ack, resolve). */
  threadSaysIt?: boolean;
}

const SILENCE_MS = 3_600_000;

/**
 * POST /v1/integrations/slack (issue 13 §1): a button press on a Warden message. The request is
 * believed only with a valid `v0=` signature made within max_age; the action is then applied as
 * the API would apply it, with the Slack user as the actor, and Slack is answered at once (it
 * waits 3 s). The message is then updated (chat.update) and its thread told who did what.
 */
export class SlackInteractivity {
  readonly #o: SlackInteractivityOptions;

  constructor(opts: SlackInteractivityOptions) {
    this.#o = opts;
  }

  async receive(req: WebhookRequest): Promise<WebhookAnswer> {
    const check = checkSlackSignature({ signature: req.headers['x-slack-signature'], timestamp: req.headers['x-slack-request-timestamp'] }, req.rawBody, this.#o.signingSecret, this.#o.clock(), this.#o.maxAgeMs);
    if (!check.ok) {
      this.#o.log.warn({ reason: check.reason, remote: req.remoteAddress }, 'Slack request refused');
      await this.#o.audit.append({ actor: 'slack', action: 'integration.slack.refused', target: 'integration/slack', details: { reason: check.reason, remoteAddress: req.remoteAddress ?? null } });
      throw new RequestError(401, 'unauthorized', `Slack signature refused: ${check.reason}`);
    }
    const press = parsePress(req.rawBody);
    if (typeof press === 'string') return { status: 200, body: { status: 'ignored', reason: press } };
    const result = await this.#apply(press);
    void this.#reflect(press, result).catch((err: unknown) => this.#o.log.warn({ err: errorMessage(err), action: press.actionId }, 'could not update the Slack message'));
    return { status: 200, body: { status: 'applied', action: press.actionId } };
  }

  async #apply(p: SlackPress): Promise<ActionResult> {
    const by = `${p.user.name} (Slack)`;
    const actor = `slack:${p.user.id}`;
    const who = `<@${p.user.id}>`;
    try {
      switch (p.actionId) {
        case SLACK_ACTION.acknowledge: {
          const before = await this.#incident(p.value);
          const inc = await this.#o.incidents.acknowledge(p.value, { by, reason: 'acknowledged from Slack', actor });
          const changed = before.status === 'triggered';
          return { line: changed ? `:eyes: Acknowledged by ${who}` : `Already acknowledged by ${inc.acknowledgedBy ?? 'someone'}`, buttons: incidentButtons(inc.id, inc.status), threadSaysIt: changed };
        }
        case SLACK_ACTION.resolve: {
          await this.#o.incidents.resolve(p.value, { by, reason: 'resolved from Slack', actor });
          return { line: `:white_check_mark: Resolved by ${who}`, threadSaysIt: true };
        }
        case SLACK_ACTION.silence1h: {
          const inc = await this.#incident(p.value);
          const now = this.#o.clock();
          const body = silenceForIncident(inc, { startsAtMs: now, endsAtMs: now + SILENCE_MS, createdBy: by, comment: `silenced for 1 h from Slack by ${p.user.name}` });
          if (typeof body === 'string') return { line: `:warning: ${who} could not silence: ${body}`, buttons: incidentButtons(inc.id, inc.status) };
          const silence = await this.#o.incidents.createSilence(body, actor);
          return { line: `:mute: Silenced for 1 h by ${who} (until <!date^${Math.floor((now + SILENCE_MS) / 1000)}^{time}|${silence.endsAt}>, silence ${silence.id})`, buttons: incidentButtons(inc.id, inc.status) };
        }
        default:
          return await this.#decide(p, who);
      }
    } catch (err) {
      if (!(err instanceof RequestError) || err.status >= 500) throw err;
      // Not found, already resolved, not allowed: say so where the button was pressed; nothing changed,
      // so the buttons that still make sense stay (a refused approver must not take them from the others).
      if (p.actionId === SLACK_ACTION.approve || p.actionId === SLACK_ACTION.reject) {
        const pending = (await this.#o.approvals?.pending(p.value))?.status === 'pending';
        return { line: `:information_source: ${who}: ${err.message}`, buttons: pending ? approvalButtons(p.value) : undefined };
      }
      const inc = await this.#o.incidents.get(p.value);
      return { line: `:information_source: ${who}: ${err.message}`, buttons: inc ? incidentButtons(inc.id, inc.status) : undefined };
    }
  }

  async #decide(p: SlackPress, who: string): Promise<ActionResult> {
    const approvals = this.#o.approvals;
    if (!approvals) throw new RequestError(409, 'approvals_off', 'remediation approvals are not enabled on this Warden');
    const decision = p.actionId === SLACK_ACTION.approve ? 'approved' : 'rejected';
    const job = await approvals.pending(p.value);
    if (!job) throw new RequestError(404, 'not_found', `no remediation awaiting approval "${p.value}"`);
    if (!(await mayApproveFromSlack(p.user.id, job.approvers, this.#o.approvers, this.#o.api))) {
      await this.#o.audit.append({ actor: `slack:${p.user.id}`, action: 'integration.slack.refused', target: `remediation/${p.value}`, details: { reason: 'not_an_approver', decision } });
      throw new RequestError(403, 'forbidden', `you are not an approver of ${job.rule}`);
    }
    const outcome = await approvals.decide(p.value, decision, { by: `${p.user.name} (Slack)`, actor: `slack:${p.user.id}` });
    const verb = outcome.decision === 'approved' ? ':white_check_mark: Approved' : ':no_entry: Rejected';
    return { line: outcome.changed ? `${verb} by ${who}` : `Already ${outcome.decision} by ${outcome.by}` };
  }

  async #incident(id: string): Promise<Incident> {
    const inc = await this.#o.incidents.get(id);
    if (!inc) throw new RequestError(404, 'not_found', `no incident "${id}"`);
    return inc;
  }

  /** chat.update the pressed message; a thread line unless the follow-up notification says it. */
  async #reflect(p: SlackPress, r: ActionResult): Promise<void> {
    if (!p.channel || !p.messageTs) return;
    if (p.blocks) await this.#o.api.update(p.channel, p.messageTs, r.line, blocksAfterAction(p.blocks, r.line, r.buttons));
    if (!r.threadSaysIt) await this.#o.api.post(p.channel, r.line, { threadTs: p.threadTs ?? p.messageTs });
  }
}

/** block_actions payload -> the press; a string says why it is ignored. */
function parsePress(raw: Buffer): SlackPress | string {
  const form = new URLSearchParams(raw.toString('utf8'));
  const text = form.get('payload');
  if (text === null) return 'no payload';
  let payload: Record<string, any>;
  try {
    payload = JSON.parse(text) as Record<string, any>;
  } catch {
    throw new RequestError(400, 'malformed_json', 'payload is not JSON');
  }
  if (payload.type !== 'block_actions') return `interaction type ${String(payload.type).slice(0, 40)} is not handled`;
  const action = Array.isArray(payload.actions) ? payload.actions[0] : undefined;
  if (!action || !SLACK_ACTION_IDS.includes(action.action_id)) return 'not a Warden button';
  const value = cleanText(action.value, 300);
  const userId = cleanText(payload.user?.id, 40);
  if (!value || !userId || !/^[UW][A-Z0-9]+$/.test(userId)) throw new RequestError(400, 'invalid_body', 'a button press needs actions[0].value and user.id');
  const message = payload.message as Record<string, any> | undefined;
  return {
    actionId: action.action_id as string,
    value,
    user: { id: userId, name: cleanText(payload.user?.username, 80) ?? cleanText(payload.user?.name, 80) ?? userId },
    channel: cleanText(payload.channel?.id ?? payload.container?.channel_id, 40),
    messageTs: cleanText(message?.ts ?? payload.container?.message_ts, 40),
    threadTs: cleanText(message?.thread_ts ?? payload.container?.thread_ts, 40),
    blocks: Array.isArray(message?.blocks) ? (message.blocks as Block[]).slice(0, 50) : undefined,
  };
}
