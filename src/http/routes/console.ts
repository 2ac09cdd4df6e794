import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import type { ComponentTrends } from '../../signals/component-trends';
import { CONSOLE_CSP, CONSOLE_HTML } from '../console/console-page';

export interface ConsoleRouteDeps {
  auth: Authenticator;
  /** Lag and up/down per component for the sparklines; without it GET /v1/console/trends is 404. */
  trends?: Pick<ComponentTrends, 'view' | 'windowMs' | 'bucketMs' | 'sinceMs'>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * GET / : the operator console, one self-contained page. It needs no token to load (it holds no
 * data); it asks for one when the API answers 401, and reads everything through the API.
 * GET /v1/whoami tells the page which scopes a token has (so it offers actions only to an operate
 * token, and says why a token was refused); GET /v1/console/trends feeds the sparklines.
 */
export function consoleRoutes(deps: ConsoleRouteDeps): Router {
  const router = express.Router();
  router.get(['/', '/console'], (_req, res) => {
    res
      .status(200)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': CONSOLE_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      })
      .send(CONSOLE_HTML);
  });
  router.get('/v1/whoami', deps.auth.require('read'), (req, res) => {
    const p = req.principal;
    // On a Warden without tokens every caller is the local operator (it binds 127.0.0.1 only).
    res.set('Cache-Control', 'no-store').json({ name: p?.name ?? 'unknown', scopes: p?.scopes ?? [], open: deps.auth.open });
  });
  const trends = deps.trends;
  if (trends) {
    router.get('/v1/console/trends', deps.auth.require('read'), (_req, res) => {
      res.set('Cache-Control', 'no-store').json({
        windowSeconds: trends.windowMs / 1000,
        bucketSeconds: trends.bucketMs / 1000,
        sampledSince: trends.sinceMs === undefined ? null : iso(trends.sinceMs),
        components: trends.view().map((c) => ({ name: c.name, points: c.points.map((p) => ({ at: iso(p.atMs), lagSeconds: p.lagSeconds, up: p.up })) })),
      });
    });
  }
  return router;
}
