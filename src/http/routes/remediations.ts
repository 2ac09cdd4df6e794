import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import { RequestError } from '../../errors';
import type { RemediationJobs } from '../../remediate/remediation-jobs';

export interface RemediationRouteDeps {
  auth: Authenticator;
  jobs: Pick<RemediationJobs, 'list' | 'get' | 'cancel'>;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new RequestError(400, 'invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}`, { field: 'limit' });
  return n;
}

/** Remediation jobs (issue 4 §5): read scope to look, operate scope to cancel. */
export function remediationRoutes(deps: RemediationRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/remediations', deps.auth.require('read'), async (req, res) => {
    const limit = parseLimit(req.query.limit);
    res.json({ remediations: await deps.jobs.list(limit) });
  });
  router.get('/v1/remediations/:id', deps.auth.require('read'), async (req, res) => {
    const job = await deps.jobs.get(req.params.id as string);
    if (!job) throw new RequestError(404, 'not_found', `no remediation job "${req.params.id}"`);
    res.json(job);
  });
  router.post('/v1/remediations/:id/cancel', deps.auth.require('operate'), async (req, res) => {
    const id = req.params.id as string;
    const outcome = await deps.jobs.cancel(id, req.principal?.name ?? 'unknown');
    switch (outcome.status) {
      case 'not_found':
        throw new RequestError(404, 'not_found', `no remediation job "${id}"`);
      case 'finished':
        throw new RequestError(409, 'already_finished', `remediation job "${id}" already ${outcome.state}; nothing to cancel`);
      case 'removed':
        res.json({ id, status: 'cancelled', was: outcome.state });
        return;
      case 'aborting':
        res.status(202).json({ id, status: 'cancelling', was: 'active' });
        return;
    }
  });
  return router;
}
