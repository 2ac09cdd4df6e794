import express, { type Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../auth';
import { parseBody } from '../request-params';
import type { AuditLog } from '../../audit/audit-log';
import { NotHaltedError, type TradingState } from '../../remediate/trading-state';
import { RequestError, isTransient } from '../../errors';

export interface TradingRouteDeps {
  auth: Authenticator;
  trading: TradingState;
  audit: AuditLog;
}

const resumeBodySchema = z.strictObject({ reason: z.string().trim().min(1, 'reason must not be empty').max(1000) });

const parseResumeBody = (body: unknown): { reason: string } => parseBody(resumeBodySchema, body, 'invalid_body');

/**
 * GET /v1/trading (read) and POST /v1/trading/resume (operate). Trading resumes only by an
 * operator's explicit decision with a reason; it is audited (by TradingState) under the token's name.
 */
export function tradingRoutes(deps: TradingRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/trading', deps.auth.require('read'), async (_req, res, next) => {
    try {
      res.json(await deps.trading.get());
    } catch (err) {
      next(err);
    }
  });
  router.post('/v1/trading/resume', deps.auth.require('operate'), express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const { reason } = parseResumeBody(req.body);
      const actor = req.principal?.name ?? 'unknown';
      res.json(await deps.trading.resume({ actor, reason }));
    } catch (err) {
      try {
        next(await mapResumeError(err, deps, req.principal?.name));
      } catch (auditErr) {
        next(auditErr);
      }
    }
  });
  return router;
}

async function mapResumeError(err: unknown, deps: TradingRouteDeps, actor: string | undefined): Promise<unknown> {
  if (err instanceof RequestError) return err;
  if (err instanceof NotHaltedError) return new RequestError(409, 'not_halted', 'trading is not halted; nothing to resume');
  if (err instanceof Error && (err.name === 'TransientError' || err.name === 'PermanentError')) {
    // A failed resume is an operator action too: it is audited before the operator gets the answer.
    await deps.audit.append({ actor: actor ?? 'unknown', action: 'trading.resume_failed', target: 'exchange', details: { error: err.message } });
    return isTransient(err)
      ? new RequestError(503, 'exchange_unavailable', `the exchange did not confirm the resume: ${err.message}`)
      : new RequestError(502, 'exchange_rejected', `the exchange rejected the resume: ${err.message}`);
  }
  return err;
}
