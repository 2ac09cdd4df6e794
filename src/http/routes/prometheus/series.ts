import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../../auth';
import type { SignalStore } from '../../../signals/signal-store';
import { LABEL_NAME_RE } from '../../../signals/sample';
import { QueryError } from '../../../rules/instant-query';
import { labelNames, labelValues, parseSeriesSelector, selectSeries, seriesLabels } from '../../../rules/series-catalog';
import { formBody, param, params, parseLimit, parseTime } from './api-params';
import { prometheusApiErrors, success } from './api-errors';

export interface PrometheusSeriesRouteDeps {
  auth: Authenticator;
  store: SignalStore;
  /** Series `match[]` may select (series, labels and label values with match[]); past it, 422. */
  maxSeries: number;
  /** Results listed without `limit=`; past it, 422. */
  maxResults: number;
  maxFormBytes: number;
  log: Logger;
}

/**
 * /api/v1/labels, /api/v1/label/{name}/values, /api/v1/series (Grafana's label browser and query
 * editor read them) and /api/v1/metadata, over what Warden's store holds (series-catalog.ts).
 */
export function prometheusSeriesRoutes(d: PrometheusSeriesRouteDeps): Router {
  const router = express.Router();
  const read = d.auth.require('read');
  const form = formBody(d.maxFormBytes);
  const window = (req: express.Request) => {
    const start = param(req, 'start');
    parseTime(param(req, 'end'), 'end', 0); // validated; see series-catalog.ts on the window
    return start === undefined ? undefined : parseTime(start, 'start', 0);
  };
  const selectors = (req: express.Request) => params(req, 'match[]').map(parseSeriesSelector);
  const listed = (all: string[], limit: number | undefined, what: string): [string[], string[]] => {
    if (limit !== undefined) return all.length > limit ? [all.slice(0, limit), ['results truncated due to limit']] : [all, []];
    if (all.length > d.maxResults) throw new QueryError('execution', `${all.length} ${what}, more than ${d.maxResults}: pass match[] or limit=`);
    return [all, []];
  };

  const labels: RequestHandler = (req, res, next) => {
    try {
      const sel = selectors(req);
      const [data, warnings] = listed(labelNames(d.store, sel.length > 0 ? sel : undefined, window(req), d.maxSeries), parseLimit(param(req, 'limit')), 'label names');
      success(res, data, warnings);
    } catch (err) {
      next(err);
    }
  };
  router.get('/api/v1/labels', read, labels);
  router.post('/api/v1/labels', read, form, labels);

  router.get('/api/v1/label/:name/values', read, (req, res, next) => {
    try {
      const name = req.params.name as string;
      if (name !== '__name__' && !LABEL_NAME_RE.test(name)) throw new QueryError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
      const sel = selectors(req);
      const [data, warnings] = listed(labelValues(d.store, name, sel.length > 0 ? sel : undefined, window(req), d.maxSeries), parseLimit(param(req, 'limit')), `values of label "${name}"`);
      success(res, data, warnings);
    } catch (err) {
      next(err);
    }
  });

  const series: RequestHandler = (req, res, next) => {
    try {
      const sel = selectors(req);
      if (sel.length === 0) throw new QueryError('bad_data', 'no match[] parameter provided');
      const limit = parseLimit(param(req, 'limit'));
      const found = selectSeries(d.store, sel, window(req), limit === undefined ? d.maxSeries : Math.max(limit, d.maxSeries));
      const cut = limit !== undefined && found.length > limit;
      success(res, (cut ? found.slice(0, limit) : found).map(seriesLabels), cut ? ['results truncated due to limit'] : []);
    } catch (err) {
      next(err);
    }
  };
  router.get('/api/v1/series', read, series);
  router.post('/api/v1/series', read, form, series);

  // Warden keeps no metric metadata (remote-write metadata is not stored): an honest empty map.
  router.get('/api/v1/metadata', read, (_req, res) => success(res, {}));
  router.use(['/api/v1/labels', '/api/v1/label', '/api/v1/series', '/api/v1/metadata'], prometheusApiErrors(d.log));
  return router;
}
