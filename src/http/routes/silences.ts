import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import { parseBody } from '../request-params';
import { RequestError } from '../../errors';
import type { IncidentService } from '../../incidents/incident-service';
import { silenceBodySchema, silenceState, type Silence } from '../../incidents/silence-store';

export interface SilenceRouteDeps {
  auth: Authenticator;
  incidents: Pick<IncidentService, 'createSilence' | 'expireSilence' | 'silences'>;
  clock?: () => number;
}

/** Alertmanager API v2's gettableSilence. */
function silenceBody(s: Silence, nowMs: number) {
  return { id: s.id, status: { state: silenceState(s, nowMs) }, updatedAt: s.updatedAt, matchers: s.matchers, startsAt: s.startsAt, endsAt: s.endsAt, createdBy: s.createdBy, comment: s.comment };
}

function parseSilence(body: unknown) {
  return parseBody(silenceBodySchema, body, 'invalid_silence');
}

/** Silences in Alertmanager's shape (issue 5 §3): read scope to list, operate scope to create or expire. */
export function silenceRoutes(deps: SilenceRouteDeps): Router {
  const router = express.Router();
  const now = deps.clock ?? Date.now;
  router.get('/v1/silences', deps.auth.require('read'), (_req, res) => {
    res.json(deps.incidents.silences.list().map((s) => silenceBody(s, now())));
  });
  router.get('/v1/silences/:id', deps.auth.require('read'), (req, res) => {
    const s = deps.incidents.silences.get(req.params.id as string);
    if (!s) throw new RequestError(404, 'not_found', `no silence "${req.params.id}"`);
    res.json(silenceBody(s, now()));
  });
  router.post('/v1/silences', deps.auth.require('operate'), express.json({ limit: '64kb' }), async (req, res) => {
    const silence = await deps.incidents.createSilence(parseSilence(req.body), req.principal?.name ?? 'unknown');
    res.json({ silenceID: silence.id });
  });
  router.delete('/v1/silences/:id', deps.auth.require('operate'), async (req, res) => {
    const silence = await deps.incidents.expireSilence(req.params.id as string, req.principal?.name ?? 'unknown');
    res.json(silenceBody(silence, now()));
  });
  return router;
}
