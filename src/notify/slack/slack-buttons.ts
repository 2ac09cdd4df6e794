import type { IncidentStatus } from '../notifier';

/**
 * The buttons on Warden's Slack messages (issue 13 §1), and their action ids: what
 * POST /v1/integrations/slack dispatches on. The button's `value` is the incident or job id.
 */
export const SLACK_ACTION = {
  acknowledge: 'warden_acknowledge',
  silence1h: 'warden_silence_1h',
  resolve: 'warden_resolve',
  approve: 'warden_approve',
  reject: 'warden_reject',
} as const;
export type SlackActionId = (typeof SLACK_ACTION)[keyof typeof SLACK_ACTION];
export const SLACK_ACTION_IDS: readonly string[] = Object.values(SLACK_ACTION);

/** The block_id of Warden's actions block, so an update can find and replace it. */
export const ACTIONS_BLOCK_ID = 'warden_actions';

type Block = Record<string, unknown>;

function button(text: string, actionId: SlackActionId, value: string, style?: 'primary' | 'danger', confirm?: string): Block {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
    ...(confirm ? { confirm: { title: { type: 'plain_text', text: 'Are you sure?' }, text: { type: 'plain_text', text: confirm }, confirm: { type: 'plain_text', text }, deny: { type: 'plain_text', text: 'Cancel' } } } : {}),
  };
}

/** Acknowledge while triggered; Silence 1 h and Resolve while open; nothing once resolved. */
export function incidentButtons(incidentId: string, status: IncidentStatus): Block | undefined {
  if (status === 'resolved') return undefined;
  const elements: Block[] = [];
  if (status === 'triggered') elements.push(button('Acknowledge', SLACK_ACTION.acknowledge, incidentId, 'primary'));
  elements.push(button('Silence 1h', SLACK_ACTION.silence1h, incidentId));
  elements.push(button('Resolve', SLACK_ACTION.resolve, incidentId, undefined, 'Resolve this incident in Warden (and PagerDuty)?'));
  return { type: 'actions', block_id: ACTIONS_BLOCK_ID, elements };
}

/** Approve / Reject for a remediation job awaiting approval. */
export function approvalButtons(jobId: string): Block {
  return {
    type: 'actions',
    block_id: ACTIONS_BLOCK_ID,
    elements: [
      button('Approve', SLACK_ACTION.approve, jobId, 'primary', 'Run this remediation now?'),
      button('Reject', SLACK_ACTION.reject, jobId, 'danger'),
    ],
  };
}

/**
 * The message as chat.update should leave it after an action: Warden's old buttons replaced by a
 * line saying who did what, then the buttons that still make sense (none once it is decided).
 */
export function blocksAfterAction(blocks: readonly Block[], line: string, buttons: Block | undefined): Block[] {
  const kept = blocks.filter((b) => b.block_id !== ACTIONS_BLOCK_ID && b.block_id !== 'warden_done');
  const done: Block = { type: 'context', block_id: 'warden_done', elements: [{ type: 'mrkdwn', text: line.slice(0, 3000) }] };
  return [...kept, done, ...(buttons ? [buttons] : [])];
}
