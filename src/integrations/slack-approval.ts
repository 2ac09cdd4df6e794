import type { SlackWebApi } from './slack-web-api';

/** warden.yaml integrations.slack.approvers. */
export interface SlackApprovers {
  readonly users: readonly string[];
  readonly usergroups: readonly string[];
}

export type ApprovalDecision = 'approved' | 'rejected';

/** A remediation job waiting for a human, as an approver sees it. */
export interface PendingApproval {
  readonly jobId: string;
  readonly rule: string;
  /** The rule's approval.approvers: `scope:<scope>`, `principal:<token name>`, `slack:<user id>`, `slack_group:<group id>`. */
  readonly approvers: readonly string[];
  /** pending until decided (approved, rejected) or expired. */
  readonly status?: string;
}

/** The approvals side (src/remediate/approval-*.ts), as the integrations and the API use it. */
export interface ApprovalDecider {
  pending(jobId: string): Promise<PendingApproval | undefined>;
  /** Idempotent: the first decision stands; `changed` says whether this call made it. */
  decide(jobId: string, decision: ApprovalDecision, who: { by: string; actor: string }): Promise<{ decision: ApprovalDecision; changed: boolean; by: string }>;
}

/**
 * A Slack user may approve when the rule names them (slack:U…) or a group they are in
 * (slack_group:S…); a rule that names no Slack approver defers to integrations.slack.approvers.
 */
export async function mayApproveFromSlack(userId: string, ruleApprovers: readonly string[], global: SlackApprovers, api: Pick<SlackWebApi, 'inGroup'>): Promise<boolean> {
  const users = ruleApprovers.filter((a) => a.startsWith('slack:')).map((a) => a.slice('slack:'.length));
  const groups = ruleApprovers.filter((a) => a.startsWith('slack_group:')).map((a) => a.slice('slack_group:'.length));
  const own = users.length + groups.length > 0;
  const allowedUsers = own ? users : global.users;
  const allowedGroups = own ? groups : global.usergroups;
  if (allowedUsers.includes(userId)) return true;
  for (const g of allowedGroups) if (await api.inGroup(userId, g)) return true;
  return false;
}
