import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../../auth';
import type { Alert } from '../../../rules/alert';
import { QueryError } from '../../../rules/instant-query';
import type { RuleGroupStatus } from '../../../rules/rule-status';
import { prometheusAlert, prometheusRule, prometheusRuleGroup } from '../../views/prometheus-json';
import { param, params } from './api-params';
import { prometheusApiErrors, success } from './api-errors';

export interface PrometheusRulesRouteDeps {
  auth: Authenticator;
  /** Warden's rule groups (RuleEngine.groupsStatus). */
  groupsStatus: () => RuleGroupStatus[];
  /** Pending and firing alerts of Warden's own rules (not those posted to /api/v2/alerts). */
  ruleAlerts: () => Alert[];
  /** evaluation_interval in seconds: the interval of a group that sets none. */
  defaultIntervalSeconds: number;
  version: string;
  log: Logger;
}

/**
 * /api/v1/rules and /api/v1/alerts in Prometheus' response format (Grafana lists both), plus
 * /api/v1/status/buildinfo. Warden's rules are all alerting rules: `type=record` lists none.
 */
export function prometheusRulesRoutes(d: PrometheusRulesRouteDeps): Router {
  const router = express.Router();
  const read = d.auth.require('read');
  router.get('/api/v1/rules', read, (req, res, next) => {
    try {
      const type = param(req, 'type');
      if (type !== undefined && type !== '' && type !== 'alert' && type !== 'record') throw new QueryError('bad_data', `invalid parameter "type": ${JSON.stringify(type)} is neither "alert" nor "record"`);
      const names = new Set(params(req, 'rule_name[]'));
      const groups = new Set(params(req, 'rule_group[]'));
      const files = new Set(params(req, 'file[]'));
      const excludeAlerts = param(req, 'exclude_alerts') === 'true';
      const wanted = type === 'record' ? 'recording' : type === 'alert' ? 'alerting' : undefined;
      const filtering = wanted !== undefined || names.size + groups.size + files.size > 0;
      const out = [];
      for (const g of d.groupsStatus()) {
        if ((groups.size > 0 && !groups.has(g.name)) || (files.size > 0 && !files.has(g.file))) continue;
        const rules = g.rules.filter((r) => (wanted === undefined || r.type === wanted) && (names.size === 0 || names.has(r.name))).map((r) => prometheusRule(r, !excludeAlerts));
        if (filtering && rules.length === 0) continue;
        out.push(prometheusRuleGroup(g, rules, d.defaultIntervalSeconds));
      }
      success(res, { groups: out });
    } catch (err) {
      next(err);
    }
  });
  router.get('/api/v1/alerts', read, (_req, res) => {
    success(res, { alerts: d.ruleAlerts().filter((a) => a.state !== 'inactive').map(prometheusAlert) });
  });
  // Grafana reads `version` to pick the Prometheus features it uses: Warden answers the API version it
  // follows (2.x: instant queries, labels/series with match[] and limit), and names itself in revision.
  const buildinfo = { version: PROMETHEUS_API_VERSION, revision: `warden ${d.version}`, branch: 'warden', buildUser: 'warden', buildDate: '', goVersion: `node ${process.versions.node}` };
  router.get('/api/v1/status/buildinfo', read, (_req, res) => success(res, buildinfo));
  router.use(['/api/v1/rules', '/api/v1/alerts', '/api/v1/status'], prometheusApiErrors(d.log));
  return router;
}

/** The Prometheus HTTP API release whose parts Warden serves (README "Prometheus HTTP API"). */
export const PROMETHEUS_API_VERSION = '2.45.0';
