import { z } from 'zod';
import { duration } from '../config/schema-types';

/**
 * A remediation rule's `approval:` (issue 13 §2): its jobs wait, showing what they would do, until
 * a named approver approves (then they run through the usual lease, settle, budget and verify),
 * rejects, or `ttl` passes (both page P0). Approvers are written with their kind, so a Slack user
 * and a token cannot be confused:
 *   scope:operate | scope:admin   any token with that scope (POST /v1/remediations/{id}/approve)
 *   principal:<token name>        that token of auth.tokens
 *   slack:<user id>               that Slack user (Approve / Reject buttons)
 *   slack_group:<user group id>   a member of that Slack user group
 * An empty list lets any operate token approve, and in Slack integrations.slack.approvers.
 */
export const APPROVER_PATTERN = /^(scope:(operate|admin)|principal:[^\s:]{1,100}|slack:[UW][A-Z0-9]{2,}|slack_group:S[A-Z0-9]{2,})$/;

const approver = z.string().regex(APPROVER_PATTERN, 'must be scope:operate, scope:admin, principal:<token name>, slack:<Slack user ID U…> or slack_group:<Slack user group ID S…>');

/** Longest wait: a job's enqueue marker and record live 24 h (remediation.job_retention's default, spec §9.1). */
const MAX_TTL_MS = 24 * 3_600_000;

export const approvalSchema = z.strictObject({
  /** false keeps the block in the file but lets the jobs run without asking. @defaultValue true */
  required: z.boolean().default(true),
  /** How long a job waits for a decision; then it is dropped and a P0 says so. @defaultValue 15m */
  ttl: duration().refine((ms) => ms >= 1000 && ms <= MAX_TTL_MS, 'must be from 1s to 24h').default(15 * 60_000),
  approvers: z.array(approver).max(100).default([]),
});
export type ApprovalRule = z.output<typeof approvalSchema>;

/** Whether a job of this rule must wait for a human. `halt_trading` never does (spec §8.2: halt at once). */
export function needsApproval(rule: { readonly action: string; readonly approval?: ApprovalRule }): boolean {
  return rule.action !== 'halt_trading' && rule.approval?.required === true;
}

/** Whether a token may decide under `approvers` (a rule naming only Slack approvers leaves the API to operate tokens). */
export function principalMayApprove(approvers: readonly string[], principal: { name: string; scopes: readonly string[] }): boolean {
  const own = approvers.filter((a) => a.startsWith('scope:') || a.startsWith('principal:'));
  if (own.length === 0) return principal.scopes.includes('operate') || principal.scopes.includes('admin');
  return own.some((a) => {
    if (a.startsWith('principal:')) return a.slice('principal:'.length) === principal.name;
    const scope = a.slice('scope:'.length);
    return principal.scopes.includes(scope) || principal.scopes.includes('admin');
  });
}
