import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../../auth';
import { parseBody as parseRequestBody } from '../../request-params';
import { RequestError } from '../../../errors';
import type { IncidentService } from '../../../incidents/incident-service';
import { silenceBodySchema, silenceState, type Silence, type SilenceState } from '../../../incidents/silence-store';
import { compileMatcher, matchesAll, parseMatcher } from '../../../signals/label-matchers';
import { alertmanagerErrors } from './alertmanager-errors';

export interface AlertmanagerSilenceRouteDeps {
  auth: Authenticator;
  incidents: Pick<IncidentService, 'createSilence' | 'expireSilence' | 'silences'>;
  log: Logger;
  clock: () => number;
}

/** gettableSilence (api/v2/openapi.yaml). */
function gettableSilence(s: Silence, nowMs: number) {
  return { id: s.id, status: { state: silenceState(s, nowMs) }, updatedAt: s.updatedAt, comment: s.comment, createdBy: s.createdBy, endsAt: s.endsAt, matchers: s.matchers, startsAt: s.startsAt };
}

// Alertmanager lists active silences first, then pending, then expired.
const ORDER: Record<SilenceState, number> = { active: 0, pending: 1, expired: 2 };

function parseBody(body: unknown) {
  return parseRequestBody(silenceBodySchema, body, 'invalid_silence');
}

/**
 * Silences on Alertmanager's paths (amtool silence add/query/expire/update), the same silences and
 * audit as /v1/silences: read scope to list, operate scope to create or expire.
 */
export function alertmanagerSilenceRoutes(d: AlertmanagerSilenceRouteDeps): Router {
  const router = express.Router();
  router.get('/api/v2/silences', d.auth.require('read'), (req, res) => {
    const raw = req.query.filter === undefined ? [] : Array.isArray(req.query.filter) ? req.query.filter : [req.query.filter];
    const filters = raw.map((t) => {
      const m = typeof t === 'string' ? parseMatcher(t) : 'filter must be a string';
      if (typeof m === 'string') throw new RequestError(400, 'invalid_query', `bad matcher format: ${m}`);
      return compileMatcher(m);
    });
    const now = d.clock();
    const listed = d.incidents.silences.list().filter((s) => {
      if (filters.length === 0) return true;
      // Alertmanager's filter: the silence's equality matchers, read as a label set, must match every filter.
      const labels: Record<string, string> = {};
      for (const m of s.matchers) if (!m.isRegex && m.isEqual) labels[m.name] = m.value;
      return matchesAll(filters, labels);
    });
    listed.sort((a, b) => ORDER[a.status.state] - ORDER[b.status.state] || (a.endsAt < b.endsAt ? -1 : a.endsAt > b.endsAt ? 1 : 0));
    res.json(listed.map((s) => gettableSilence(s, now)));
  });
  router.post('/api/v2/silences', d.auth.require('operate'), express.json({ limit: '64kb', type: () => true }), async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    // amtool and Grafana send `"id": ""` for a new silence.
    if (body && typeof body === 'object' && body.id === '') delete body.id;
    const silence = await d.incidents.createSilence(parseBody(body), req.principal?.name ?? 'unknown');
    res.json({ silenceID: silence.id });
  });
  router.get('/api/v2/silence/:id', d.auth.require('read'), (req, res) => {
    const s = d.incidents.silences.get(req.params.id as string);
    if (!s) throw new RequestError(404, 'not_found', `silence ${req.params.id} not found`);
    res.json(gettableSilence(s, d.clock()));
  });
  router.delete('/api/v2/silence/:id', d.auth.require('operate'), async (req, res) => {
    await d.incidents.expireSilence(req.params.id as string, req.principal?.name ?? 'unknown');
    res.status(200).end();
  });
  router.use(['/api/v2/silences', '/api/v2/silence'], alertmanagerErrors(d.log));
  return router;
}
