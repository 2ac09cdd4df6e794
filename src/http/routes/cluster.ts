import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import type { ClusterStatus } from '../../cluster/cluster';

export interface ClusterRouteDeps {
  auth: Authenticator;
  status(): Promise<ClusterStatus>;
}

/** GET /v1/cluster: which replica answered, who leads, the fencing token and the members (issue 12 §6). */
export function clusterRoutes(deps: ClusterRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/cluster', deps.auth.require('read'), async (_req, res, next) => {
    try {
      res.json(await deps.status());
    } catch (err) {
      next(err);
    }
  });
  return router;
}
