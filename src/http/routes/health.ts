import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import { limitParam, patternParam } from '../request-params';
import type { HealthTracker } from '../../health/health-tracker';
import type { ComponentHealth, HealthSnapshot } from '../../health/health-types';
import { RequestError } from '../../errors';

export interface HealthRouteDeps {
  auth: Authenticator;
  tracker: HealthTracker;
}

function componentBody(c: ComponentHealth) {
  return { name: c.name, critical: c.critical, status: c.status, reasons: c.reasons };
}

function current(tracker: HealthTracker): HealthSnapshot {
  const snap = tracker.current;
  // Fail fast: before the first evaluation there is nothing true to say.
  if (!snap) throw new RequestError(503, 'not_evaluated', 'health has not been evaluated yet');
  return snap;
}

export function healthRoutes(deps: HealthRouteDeps): Router {
  const router = express.Router();
  const read = deps.auth.require('read');

  router.get('/v1/health', read, (_req, res) => {
    const snap = current(deps.tracker);
    res.json({ status: snap.status, reasons: snap.reasons, components: snap.components.map(componentBody), evaluatedAt: new Date(snap.evaluatedAtMs).toISOString() });
  });

  router.get('/v1/health/events', read, async (req, res, next) => {
    try {
      const limit = limitParam(req.query.limit);
      const since = patternParam(req.query.since, 'since', /^\d+-\d+$/, 'an event id like 1700000000000-0');
      res.json({ events: await deps.tracker.history({ sinceId: since, limit }) });
    } catch (err) {
      next(err);
    }
  });

  router.get('/v1/health/:component', read, (req, res) => {
    const snap = current(deps.tracker);
    const c = snap.components.find((x) => x.name === req.params.component);
    if (!c) throw new RequestError(404, 'not_found', `no component "${req.params.component}"`);
    res.json({ ...componentBody(c), evaluatedAt: new Date(snap.evaluatedAtMs).toISOString() });
  });
  return router;
}
