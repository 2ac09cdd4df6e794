import { approvalButtons, blocksAfterAction } from './slack-buttons';

type Block = Record<string, unknown>;

/** What an approval message shows (a structural view of the remediation side's record). */
export interface ApprovalMessageInput {
  readonly jobId: string;
  readonly rule: string;
  readonly action: string;
  readonly target: string;
  readonly wouldDo: string;
  readonly why: string;
  readonly expiresAtMs: number;
  readonly status: 'pending' | 'approved' | 'rejected' | 'expired';
  readonly decidedBy?: string;
  readonly reason?: string;
}

const MAX_TEXT = 3000;

/**
 * The message asking for a decision (issue 13 §2): what Warden would do (the dry-run result), why,
 * until when, and Approve / Reject buttons valued with the job id.
 */
export function approvalRequestMessage(r: ApprovalMessageInput): { text: string; blocks: Block[] } {
  const headline = `Remediation awaiting approval: ${r.action} of ${r.target}`;
  const until = `<!date^${Math.floor(r.expiresAtMs / 1000)}^{date_short_pretty} {time}|${new Date(r.expiresAtMs).toISOString()}>`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`:hourglass_flowing_sand: ${headline}`, 150), emoji: true } },
    section(`*Would do:* ${escape(r.wouldDo)}\n*Why:* ${escape(r.why)}`),
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`Rule \`${escape(r.rule)}\` · job \`${escape(r.jobId)}\` · expires ${until}: unanswered, nothing runs and a P0 says so`, MAX_TEXT) }] },
    approvalButtons(r.jobId),
  ];
  return { text: `${headline}: ${r.wouldDo}`, blocks };
}

/** The same message once decided or expired: the buttons replaced by the outcome. */
export function approvalDecidedMessage(r: ApprovalMessageInput): { text: string; blocks: Block[] } {
  const request = approvalRequestMessage(r);
  return { text: decisionLine(r), blocks: blocksAfterAction(request.blocks, decisionLine(r), undefined) };
}

export function decisionLine(r: ApprovalMessageInput): string {
  const why = r.reason ? `: ${escape(r.reason)}` : '';
  switch (r.status) {
    case 'approved':
      return `:white_check_mark: Approved by ${escape(r.decidedBy ?? 'someone')}${why}`;
    case 'rejected':
      return `:no_entry: Rejected by ${escape(r.decidedBy ?? 'someone')}${why}: not acting; P0 raised`;
    case 'expired':
      return ':alarm_clock: Nobody decided in time: not acting; P0 raised';
    default:
      return ':hourglass_flowing_sand: Awaiting approval';
  }
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, MAX_TEXT) } };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
