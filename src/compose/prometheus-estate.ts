import type Redis from 'ioredis';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { WardenConfig } from '../config/schema';
import type { EvaluationLoop, RuleEvaluator } from '../evaluate/evaluation-loop';
import type { Authenticator } from '../http/auth';
import { alertmanagerAlertRoutes } from '../http/routes/alertmanager/alerts';
import { alertmanagerSilenceRoutes } from '../http/routes/alertmanager/silences';
import { alertmanagerStatusRoutes } from '../http/routes/alertmanager/status';
import { alertmanagerConfigYaml, routeReceiverNames } from '../incidents/alertmanager-config';
import { defaultRoute } from '../incidents/default-route';
import type { IncidentService } from '../incidents/incident-service';
import { Inhibitor } from '../incidents/inhibitor';
import { compileRoute } from '../incidents/route-tree';
import { PushedAlerts } from '../ingest/alertmanager/pushed-alerts';
import { WithPushedAlerts } from '../ingest/alertmanager/with-pushed-alerts';
import type { Alert } from '../rules/alert';
import { WARDEN_VERSION } from '../build-info';
import { remoteWriteRoutes } from '../http/routes/remote-write';
import type { DerivedSeries } from '../ingest/derived-series';
import type { OffThreadPushParser } from '../ingest/off-thread-parser';
import type { FanoutPublisher } from '../ingest/replica-fanout';
import { RemoteWriteValidator } from '../ingest/remote-write/remote-write-validation';
import { prometheusQueryRoutes } from '../http/routes/prometheus/query';
import { prometheusRulesRoutes } from '../http/routes/prometheus/rules';
import { prometheusSeriesRoutes } from '../http/routes/prometheus/series';
import type { QueryLimits } from '../rules/instant-query';
import type { RuleGroupStatus } from '../rules/rule-status';
import type { SignalStore } from '../signals/signal-store';


export interface PrometheusEstateDeps {
  config: WardenConfig;
  redis: Redis;
  /** The rule engine: posted alerts join its active alerts for the evaluation loop; /api/v1/rules lists its groups. */
  rules: RuleEvaluator & { groupsStatus(): RuleGroupStatus[] };
  /** The signal store /api/v1/query, /labels and /series read. */
  store: SignalStore;
  registry: Registry;
  log: Logger;
  clock: () => number;
}

/** What the HTTP routes need once the rest of Warden is running. */
export interface PrometheusEstateRouteDeps {
  auth: Authenticator;
  loop: Pick<EvaluationLoop, 'applyTransitions' | 'ingest' | 'seriesGuard'>;
  incidents: IncidentService;
  /** What /v1/samples uses too: remote-write gets the same Redis-down 503s, worker and derived-series rules. */
  ingest: { unavailable: () => string | undefined; parser: OffThreadPushParser; derived: DerivedSeries; fanout?: FanoutPublisher };
}

/**
 * Bounds of the Prometheus HTTP API (query text is untrusted; queries run on the event loop):
 * about half a second of evaluation at most, and answers a browser can render.
 */
const QUERY_MAX_BYTES = 64 * 1024;
const QUERY_MAX_SAMPLES = 500_000;
const QUERY_MAX_RESULT_SERIES = 10_000;
const CATALOG_MAX_SERIES = 100_000;
const CATALOG_MAX_RESULTS = 100_000;
const FORM_MAX_BYTES = 1024 * 1024;

export interface PrometheusEstate {
  /** The rule engine plus posted alerts: hand this to the evaluation loop, and ask it what fires. */
  readonly alerts: WithPushedAlerts;
  /** Restored alerts that belong to the rule engine (posted ones are restored by the estate itself). */
  ruleAlerts(restored: readonly Alert[]): Alert[];
  routers(d: PrometheusEstateRouteDeps): Router[];
}

/**
 * Issue 15: Warden on the wire of a Prometheus estate. Alertmanager API v2 (alerts from Prometheus'
 * `alerting.alertmanagers`, silences for amtool, status for Grafana); remote-write (samples from
 * Prometheus' `remote_write`); the Prometheus HTTP API Grafana and tools read (instant queries,
 * labels, series, rules, alerts, buildinfo).
 */
export async function startPrometheusEstate(d: PrometheusEstateDeps): Promise<PrometheusEstate> {
  const log = d.log.child({ stage: 'prometheus-estate' });
  const { config } = d;
  const am = config.alertmanager;
  const pushed = new PushedAlerts({ redis: d.redis, prefix: config.redis.prefix, resolveTimeoutMs: am.resolve_timeout, resolvedRetentionMs: am.resolved_retention, maxAlerts: am.max_alerts, log });
  await pushed.restore();
  const alerts = new WithPushedAlerts(d.rules, pushed);
  const startedAtMs = d.clock();
  // The same tree the incident dispatcher compiles from the same config.
  const root = config.notify.route ? compileRoute(config.notify.route) : defaultRoute();
  const listing = { root, inhibitor: new Inhibitor(config.notify.inhibit_rules) };
  const queryLimits: QueryLimits = { maxQueryBytes: QUERY_MAX_BYTES, maxSamples: QUERY_MAX_SAMPLES, maxResultSeries: QUERY_MAX_RESULT_SERIES, defaultStepMs: config.evaluation_interval };
  return {
    alerts,
    ruleAlerts: (restored) => restored.filter((a) => a.source === undefined),
    routers: (r) => [
      alertmanagerAlertRoutes({
        auth: r.auth, pushed, activeAlerts: () => alerts.activeAlerts(), applyTransitions: (t) => r.loop.applyTransitions(t),
        listing: { ...listing, silences: r.incidents.silences }, limits: config.limits, resolveTimeoutMs: am.resolve_timeout, registry: d.registry, log, clock: d.clock,
      }),
      alertmanagerSilenceRoutes({ auth: r.auth, incidents: r.incidents, log, clock: d.clock }),
      remoteWriteRoutes({
        auth: r.auth, loop: r.loop, validator: new RemoteWriteValidator(config.limits, r.ingest.derived), maxBodyBytes: config.limits.max_body,
        unavailable: r.ingest.unavailable, parseInWorker: { parser: r.ingest.parser }, fanout: r.ingest.fanout, registry: d.registry, log, clock: d.clock,
      }),
      prometheusQueryRoutes({ auth: r.auth, store: d.store, limits: queryLimits, maxFormBytes: FORM_MAX_BYTES, log, clock: d.clock }),
      prometheusSeriesRoutes({ auth: r.auth, store: d.store, maxSeries: CATALOG_MAX_SERIES, maxResults: CATALOG_MAX_RESULTS, maxFormBytes: FORM_MAX_BYTES, log }),
      prometheusRulesRoutes({
        auth: r.auth, groupsStatus: () => d.rules.groupsStatus(), ruleAlerts: () => d.rules.activeAlerts(), defaultIntervalSeconds: config.evaluation_interval / 1000, version: WARDEN_VERSION, log,
      }),
      alertmanagerStatusRoutes({
        auth: r.auth, configYaml: alertmanagerConfigYaml(root, config.notify, am.resolve_timeout), receivers: [...new Set([...routeReceiverNames(root), ...config.notify.receivers.map((x) => x.name)])],
        version: WARDEN_VERSION, startedAtMs, log,
      }),
    ],
  };
}
