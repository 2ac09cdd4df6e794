import express, { type Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../auth';
import { limitParam, oneOfParam as oneOf, parseBody } from '../request-params';
import { RequestError } from '../../errors';
import { INCIDENT_STATUSES, SEVERITIES, listedAlerts, type Incident, type IncidentStatus, type Severity, type TimelineEntry } from '../../incidents/incident';
import type { IncidentService } from '../../incidents/incident-service';

export interface IncidentRouteDeps {
  auth: Authenticator;
  incidents: Pick<IncidentService, 'list' | 'get' | 'acknowledge' | 'resolve'>;
  /** notify.max_alerts: alerts listed per incident; the rest are counted. */
  maxAlerts: number;
}

const actionBody = z.strictObject({ by: z.string().min(1).max(200).optional(), reason: z.string().min(1, 'say why (reason)').max(2000) });

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The API view: ISO times, alerts as a list (firing first, newest first, at most `maxAlerts`, the
 * rest counted as in Alertmanager's `truncatedAlerts`), dispatcher internals left out.
 */
export function incidentBody(inc: Incident, maxAlerts: number, timeline?: readonly TimelineEntry[]) {
  const listed = listedAlerts(Object.values(inc.alerts), maxAlerts);
  return {
    id: inc.id,
    fingerprint: inc.fingerprint,
    severity: inc.severity,
    status: inc.status,
    summary: inc.summary,
    labels: inc.labels,
    source: inc.source,
    startedAt: iso(inc.startedAtMs),
    acknowledgedAt: iso(inc.acknowledgedAtMs),
    acknowledgedBy: inc.acknowledgedBy,
    ackReason: inc.ackReason,
    resolvedAt: iso(inc.resolvedAtMs),
    mutedBy: inc.dispatch.mutedBy,
    escalationLevel: inc.escalation.level,
    details: inc.details,
    alertsTotal: inc.alertCounts.total,
    alertsFiring: inc.alertCounts.firing,
    truncatedAlerts: inc.alertCounts.total - listed.length,
    alerts: listed.map((a) => ({ name: a.name, fingerprint: a.fingerprint, state: a.state, labels: a.labels, annotations: a.annotations, activeAt: iso(a.activeAtMs), resolvedAt: iso(a.resolvedAtMs) })),
    ...(timeline ? { timeline: timeline.map(({ atMs, ...rest }) => ({ at: iso(atMs), ...rest })) } : {}),
  };
}

const parseAction = (body: unknown) => parseBody(actionBody, body, 'invalid_body');

/** Incidents (issue 5 §1): read scope to look; operate scope to acknowledge or resolve, the principal is the actor. */
export function incidentRoutes(deps: IncidentRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/incidents', deps.auth.require('read'), async (req, res) => {
    const status = oneOf<IncidentStatus>(req.query.status, INCIDENT_STATUSES, 'status');
    const severity = oneOf<Severity>(req.query.severity, SEVERITIES, 'severity');
    const list = await deps.incidents.list({ status, severity, limit: limitParam(req.query.limit) });
    res.json({ incidents: list.map((i) => incidentBody(i, deps.maxAlerts)) });
  });
  router.get('/v1/incidents/:id', deps.auth.require('read'), async (req, res) => {
    const inc = await deps.incidents.get(req.params.id as string);
    if (!inc) throw new RequestError(404, 'not_found', `no incident "${req.params.id}"`);
    res.json(incidentBody(inc, deps.maxAlerts, inc.timeline));
  });
  router.post('/v1/incidents/:id/ack', deps.auth.require('operate'), express.json({ limit: '16kb' }), async (req, res) => {
    const body = parseAction(req.body);
    const actor = req.principal?.name ?? 'unknown';
    const inc = await deps.incidents.acknowledge(req.params.id as string, { by: body.by ?? actor, reason: body.reason, actor });
    res.json(incidentBody(inc, deps.maxAlerts));
  });
  router.post('/v1/incidents/:id/resolve', deps.auth.require('operate'), express.json({ limit: '16kb' }), async (req, res) => {
    const body = parseAction(req.body);
    const inc = await deps.incidents.resolve(req.params.id as string, { by: req.principal?.name ?? 'unknown', reason: body.reason });
    res.json(incidentBody(inc, deps.maxAlerts));
  });
  return router;
}
