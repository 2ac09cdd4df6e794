import express, { type Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../auth';
import { RequestError } from '../../errors';
import type { RemediationApprovals } from '../../remediate/remediation-approvals';
import type { ApprovalDecision } from '../../remediate/approval-store';

export interface ApprovalRouteDeps {
  auth: Authenticator;
  approvals: Pick<RemediationApprovals, 'decideAs'>;
}

const decisionBody = z.strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(2000).optional() });

function parseBody(body: unknown): z.output<typeof decisionBody> {
  const r = decisionBody.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  throw new RequestError(400, 'invalid_body', issue?.code === 'unrecognized_keys' ? `unknown field "${issue.keys[0]}"` : `${field ?? 'body'}: ${issue?.message}`, { field });
}

/**
 * POST /v1/remediations/{id}/approve and /reject (issue 13 §2): operate scope, and the token must
 * be one of the rule's approvers. Idempotent: the same decision again answers 200 with
 * `changed: false`; the opposite one, or one after the ttl, is a 409 and changes nothing.
 */
export function approvalRoutes(deps: ApprovalRouteDeps): Router {
  const router = express.Router();
  const decide = (decision: ApprovalDecision) => async (req: express.Request, res: express.Response) => {
    const body = parseBody(req.body);
    const principal = req.principal ?? { name: 'unknown', scopes: [] };
    const out = await deps.approvals.decideAs(principal, req.params.id as string, decision, body.reason);
    const r = out.record;
    res.json({
      id: r.jobId,
      decision: out.decision,
      changed: out.changed,
      decidedBy: out.by,
      decidedAt: r.decidedAtMs ? new Date(r.decidedAtMs).toISOString() : undefined,
      ...(r.reason ? { reason: r.reason } : {}),
    });
  };
  router.post('/v1/remediations/:id/approve', deps.auth.require('operate'), express.json({ limit: '16kb' }), decide('approved'));
  router.post('/v1/remediations/:id/reject', deps.auth.require('operate'), express.json({ limit: '16kb' }), decide('rejected'));
  return router;
}
