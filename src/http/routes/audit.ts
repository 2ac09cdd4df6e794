import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import type { AuditLog } from '../../audit/audit-log';
import { MAX_LIST_LIMIT } from '../../audit/audit-log';
import { intParam } from '../request-params';

export interface AuditRouteDeps {
  auth: Authenticator;
  audit: AuditLog;
}

/** GET /v1/audit?since=<seq>&limit=<n>: entries with seq > since, oldest first. */
export function auditRoutes(deps: AuditRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/audit', deps.auth.require('read'), async (req, res, next) => {
    try {
      const sinceSeq = intParam(req.query.since, 'since', 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(req.query.limit, 'limit', 1, MAX_LIST_LIMIT);
      const entries = await deps.audit.list({ sinceSeq, limit });
      const last = entries.at(-1);
      res.json({ entries, next: last ? last.seq : (sinceSeq ?? 0) });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
