import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { errorHandler, notFound } from './error-handler';

export interface AppOptions {
  log: Logger;
  registry: Registry;
  /** True once Redis answers and rules are loaded; `reasons` says why a check fails. */
  ready: () => { ready: boolean; checks: Record<string, boolean>; reasons?: Record<string, string> };
  /** Guards /metrics when server.metrics_auth is set (the read scope); open otherwise. */
  metricsAuth?: RequestHandler;
  /** Every stage's router (ingest, health, rules, remediation, incidents, ...). */
  routers: readonly Router[];
}

/** The express app: operational endpoints first, then the stages' routers, then the one error shape. */
export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const r = opts.ready();
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks, ...(r.reasons && Object.keys(r.reasons).length > 0 ? { reasons: r.reasons } : {}) });
  });
  const metricsAuth: RequestHandler = opts.metricsAuth ?? ((_req, _res, next) => next());
  app.get('/metrics', metricsAuth, async (_req, res, next) => {
    try {
      res.set('Content-Type', opts.registry.contentType).send(await opts.registry.metrics());
    } catch (err) {
      next(err);
    }
  });
  for (const r of opts.routers) app.use(r);
  app.use(notFound);
  app.use(errorHandler(opts.log));
  return app;
}
