import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Authenticator } from '../../auth';
import type { LimitsConfig } from '../../../config/schema';
import { RequestError, errorMessage } from '../../../errors';
import { groupAlerts, listAlerts, parseAlertFilter, type ListingDeps } from '../../../incidents/alert-listing';
import { validatePostableAlerts } from '../../../ingest/alertmanager/postable-alerts';
import type { PushedAlerts } from '../../../ingest/alertmanager/pushed-alerts';
import type { Alert, AlertTransition } from '../../../rules/alert';
import { within } from '../../../runtime/within';
import { gettableAlert } from '../../views/alertmanager-alert';
import { alertmanagerErrors } from './alertmanager-errors';

export interface AlertmanagerAlertRouteDeps {
  auth: Authenticator;
  pushed: PushedAlerts;
  /** Every active alert: Warden's own rules' and the posted ones. */
  activeAlerts: () => Alert[];
  /** Hands transitions to the pipeline (EvaluationLoop.applyTransitions): incidents, remediation, health. */
  applyTransitions: (t: readonly AlertTransition[]) => Promise<void>;
  listing: ListingDeps;
  limits: Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes' | 'max_body'>;
  resolveTimeoutMs: number;
  registry: Registry;
  log: Logger;
  clock: () => number;
  /** How long a post waits for its effects to reach Redis before answering 503 (as /v1/samples). */
  persistWaitMs?: number;
}

const PERSIST_WAIT_MS = 1_500;

/** POST/GET /api/v2/alerts and GET /api/v2/alerts/groups (Alertmanager API v2, issue 15 §1). */
export function alertmanagerAlertRoutes(d: AlertmanagerAlertRouteDeps): Router {
  const router = express.Router();
  const received = new Counter({ name: 'warden_alertmanager_alerts_received_total', help: 'Alerts posted to /api/v2/alerts, by outcome (a refused batch counts every alert in it).', labelNames: ['outcome'], registers: [d.registry] });
  router.post('/api/v2/alerts', d.auth.require('ingest'), express.json({ limit: d.limits.max_body, type: () => true, strict: false }), async (req, res, next) => {
    let count = 0;
    try {
      const batch = validatePostableAlerts(req.body, d.limits);
      count = batch.length;
      const { transitions, persisted } = d.pushed.apply(batch, d.clock());
      const pipeline = transitions.length > 0 ? d.applyTransitions(transitions) : Promise.resolve();
      const outcome = await within(Promise.all([persisted, pipeline]).then(() => 'persisted' as const), d.persistWaitMs ?? PERSIST_WAIT_MS, 'waiting' as const).catch((err: unknown) => {
        throw new RequestError(503, 'persist_failed', `alerts applied, but not persisted: ${errorMessage(err)}`);
      });
      // Applied in memory and queued; Prometheus retries a 5xx, and a re-send changes nothing new.
      if (outcome === 'waiting') throw new RequestError(503, 'unavailable', 'alerts applied, but their state change is not yet in Redis; it is queued and written once Redis answers');
      received.inc({ outcome: 'accepted' }, count);
      res.status(200).end();
    } catch (err) {
      received.inc({ outcome: err instanceof RequestError && err.status < 500 ? 'refused' : 'failed' }, Array.isArray(req.body) ? req.body.length : 1);
      next(err);
    }
  });
  // Alertmanager lists no alert whose endsAt has passed, even before its expiry has run.
  const current = (now: number) => d.activeAlerts().filter((a) => a.source === undefined || (d.pushed.get(a.fingerprint)?.endsAtMs ?? 0) > now);
  router.get('/api/v2/alerts', d.auth.require('read'), (req, res) => {
    const filter = parseAlertFilter(req.query);
    const now = d.clock();
    res.json(listAlerts(current(now), filter, d.listing).map((l) => gettableAlert(l, d.pushed.get(l.alert.fingerprint), now, d.resolveTimeoutMs)));
  });
  router.get('/api/v2/alerts/groups', d.auth.require('read'), (req, res) => {
    const filter = parseAlertFilter(req.query);
    const now = d.clock();
    const groups = groupAlerts(listAlerts(current(now), filter, d.listing), filter);
    res.json(groups.map((g) => ({ labels: g.labels, receiver: { name: g.receiver }, alerts: g.alerts.map((l) => gettableAlert(l, d.pushed.get(l.alert.fingerprint), now, d.resolveTimeoutMs)) })));
  });
  router.use('/api/v2/alerts', alertmanagerErrors(d.log));
  return router;
}
