import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import { limitParam } from '../request-params';
import { RequestError } from '../../errors';
import type { RemediationJobs } from '../../remediate/remediation-jobs';
import { isRedisUnavailable } from '../../runtime/redis-unavailable';
import { within } from '../../runtime/within';

export interface RemediationRouteDeps {
  auth: Authenticator;
  jobs: Pick<RemediationJobs, 'list' | 'get' | 'cancel'>;
  /** Why Redis is known not to answer (RedisHealth), or undefined while it does. */
  redisDown?: () => string | undefined;
  /** How long a request waits on Redis before answering 503 (default 2 s). */
  deadlineMs?: number;
}

const DEFAULT_DEADLINE_MS = 2_000;
const TIMED_OUT = Symbol('timed out');

/**
 * Jobs live in Redis: while it is known down, or when it does not answer within the deadline (a
 * frozen Redis answers nothing; BullMQ's connection waits for ever), the answer is 503
 * `unavailable`, never a guess such as 202 "cancelling" for a cancel that did not happen.
 */
async function withRedis<T>(deps: RemediationRouteDeps, what: string, run: () => Promise<T>): Promise<T> {
  const down = deps.redisDown?.();
  if (down !== undefined) throw new RequestError(503, 'unavailable', `Redis is not answering (${down}): ${what} not attempted; retry once it answers`);
  const deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
  let result: T | typeof TIMED_OUT;
  const running = run();
  try {
    result = await within<T | typeof TIMED_OUT>(running, deadlineMs, TIMED_OUT);
  } catch (err) {
    if (isRedisUnavailable(err)) throw new RequestError(503, 'unavailable', `Redis failed during ${what} (${(err as Error).message}); check the job and retry`);
    throw err;
  }
  if (result === TIMED_OUT) {
    running.catch(() => undefined); // settles later or never; the 503 below has already answered
    throw new RequestError(503, 'unavailable', `Redis did not answer within ${deadlineMs} ms: ${what} may not have happened; check the job and retry`);
  }
  return result;
}


/** Remediation jobs (issue 4 §5): read scope to look, operate scope to cancel. */
export function remediationRoutes(deps: RemediationRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/remediations', deps.auth.require('read'), async (req, res) => {
    const limit = limitParam(req.query.limit);
    res.json({ remediations: await withRedis(deps, 'listing jobs', () => deps.jobs.list(limit)) });
  });
  router.get('/v1/remediations/:id', deps.auth.require('read'), async (req, res) => {
    const job = await withRedis(deps, 'reading the job', () => deps.jobs.get(req.params.id as string));
    if (!job) throw new RequestError(404, 'not_found', `no remediation job "${req.params.id}"`);
    res.json(job);
  });
  router.post('/v1/remediations/:id/cancel', deps.auth.require('operate'), async (req, res) => {
    const id = req.params.id as string;
    const outcome = await withRedis(deps, 'the cancel', () => deps.jobs.cancel(id, req.principal?.name ?? 'unknown'));
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
