import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../../auth';
import type { SignalStore } from '../../../signals/signal-store';
import { instantQuery, type QueryLimits } from '../../../rules/instant-query';
import { queryData } from '../../views/prometheus-json';
import { formBody, param, parseDuration, parseLimit, parseTime } from './api-params';
import { failure, prometheusApiErrors, success } from './api-errors';

export interface PrometheusQueryRouteDeps {
  auth: Authenticator;
  store: SignalStore;
  limits: QueryLimits;
  /** Form bodies (POST) are bounded by this. */
  maxFormBytes: number;
  log: Logger;
  clock: () => number;
}

/**
 * /api/v1/query (GET and POST form, as Prometheus and Grafana send it): an instant query over
 * Warden's store (instant-query.ts bounds its cost and result). /api/v1/query_range answers a
 * Prometheus-format error: Warden keeps a bounded window of recent samples, not a history to graph.
 */
export function prometheusQueryRoutes(d: PrometheusQueryRouteDeps): Router {
  const router = express.Router();
  const query: RequestHandler = (req, res, next) => {
    try {
      const atMs = parseTime(param(req, 'time'), 'time', d.clock());
      // Accepted as Prometheus does; the sample budget, not a timer, bounds a query's time here.
      parseDuration(param(req, 'timeout'), 'timeout');
      const outcome = instantQuery(param(req, 'query') ?? '', d.store, atMs, d.limits, parseLimit(param(req, 'limit')));
      success(res, queryData(outcome.value, atMs), outcome.warnings);
    } catch (err) {
      next(err);
    }
  };
  const read = d.auth.require('read');
  router.get('/api/v1/query', read, query);
  router.post('/api/v1/query', read, formBody(d.maxFormBytes), query);
  const range: RequestHandler = (_req, res) => {
    failure(res, 501, 'execution', 'range queries are not served by Warden: it keeps a bounded window of recent samples for its rules, not a history; graph from the Prometheus that scrapes or remote-writes to Warden');
  };
  router.get('/api/v1/query_range', read, range);
  router.post('/api/v1/query_range', read, range);
  router.use(['/api/v1/query', '/api/v1/query_range'], prometheusApiErrors(d.log));
  return router;
}
