import { approvalDecidedMessage, approvalRequestMessage, type ApprovalMessageInput } from '../notify/slack/approval-blocks';
import type { SlackWebApi } from './slack-web-api';

/**
 * Posts remediation approval requests to integrations.slack.approval_channel and updates them once
 * decided from elsewhere (the API, the console, the ttl). A decision made in Slack updates the
 * pressed message itself (SlackInteractivity).
 */
export class SlackApprovalAnnouncer {
  readonly #api: Pick<SlackWebApi, 'post' | 'update'>;
  readonly #channel: string;

  constructor(api: Pick<SlackWebApi, 'post' | 'update'>, channel: string) {
    this.#api = api;
    this.#channel = channel;
  }

  async requested(r: ApprovalMessageInput): Promise<{ channel: string; ts: string }> {
    const m = approvalRequestMessage(r);
    return this.#api.post(this.#channel, m.text, { blocks: m.blocks });
  }

  async decided(r: ApprovalMessageInput & { slack?: { channel: string; ts: string } }): Promise<void> {
    if (!r.slack) return;
    const m = approvalDecidedMessage(r);
    await this.#api.update(r.slack.channel, r.slack.ts, m.text, m.blocks);
  }
}
