import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import type { Alert } from '../../rules/alert';
import { RequestError } from '../../errors';
import type { ReloadOutcome } from '../../evaluate/rule-reloader';

export interface RulesRouteDeps {
  auth: Authenticator;
  activeAlerts: () => Alert[];
  groupsStatus: () => unknown[];
  reload: () => Promise<ReloadOutcome>;
  lastReload: () => ReloadOutcome | undefined;
}

function alertBody(a: Alert) {
  return {
    name: a.name,
    fingerprint: a.fingerprint,
    state: a.state,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    activeAt: new Date(a.activeAtMs).toISOString(),
    ...(a.firedAtMs !== undefined ? { firedAt: new Date(a.firedAtMs).toISOString() } : {}),
  };
}

export function rulesRoutes(deps: RulesRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/alerts', deps.auth.require('read'), (_req, res) => {
    res.json({ alerts: deps.activeAlerts().map(alertBody) });
  });
  router.get('/v1/rules', deps.auth.require('read'), (_req, res) => {
    const last = deps.lastReload();
    res.json({
      groups: deps.groupsStatus(),
      lastReload: last && { ok: last.ok, at: new Date(last.atMs).toISOString(), ...(last.error ? { error: last.error } : {}) },
    });
  });
  router.post('/v1/rules/reload', deps.auth.require('operate'), async (_req, res, next) => {
    try {
      const outcome = await deps.reload();
      if (outcome.ok) res.json({ status: 'reloaded', at: new Date(outcome.atMs).toISOString() });
      // Through the shared error path (error-handler.ts), like every other error: one shape.
      else throw new RequestError(422, 'invalid_rules', outcome.error ?? 'rule reload failed');
    } catch (err) {
      next(err);
    }
  });
  return router;
}
