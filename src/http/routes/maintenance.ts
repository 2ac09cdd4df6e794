import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import { RequestError } from '../../errors';
import { maintenanceBodySchema, toApiInterval } from '../../config/maintenance-schema';
import type { CompiledWindow, WindowStatus } from '../../maintenance/maintenance-window';
import type { MaintenanceWindows } from '../../maintenance/maintenance-windows';

export interface MaintenanceRouteDeps {
  auth: Authenticator;
  maintenance: Pick<MaintenanceWindows, 'all' | 'get' | 'create' | 'end'>;
  clock?: () => number;
}

const STATUSES: readonly WindowStatus[] = ['active', 'scheduled', 'ended'];
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The API view (camelCase, ISO times): what it matches, when, and whether it holds now. */
export function windowBody(c: CompiledWindow, nowMs: number) {
  const w = c.window;
  return {
    id: w.id,
    name: w.name,
    source: w.source,
    status: c.status(nowMs),
    matchers: w.matchers,
    startsAt: iso(w.startsAtMs),
    endsAt: iso(w.endsAtMs),
    timeIntervals: w.timeIntervals?.map(toApiInterval),
    comment: w.comment,
    createdBy: w.createdBy,
    createdAt: iso(w.createdAtMs),
    endedAt: iso(w.endedAtMs),
    endedBy: w.endedBy,
    /** While active: when it stops holding (within a day for recurring windows). */
    activeUntil: iso(c.activeUntil(nowMs)),
    /** While scheduled: when it next starts (within a day for recurring windows). */
    nextStartsAt: iso(c.nextStart(nowMs)),
  };
}

function parseWindow(body: unknown) {
  const r = maintenanceBodySchema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = [...(issue?.path ?? [])];
  if (issue?.code === 'unrecognized_keys') path.push(issue.keys[0] as string);
  const field = path.map(String).join('.') || undefined;
  const index = path.find((p): p is number => typeof p === 'number');
  const message = issue?.code === 'unrecognized_keys' ? `unknown field "${field}"` : `${field ?? 'body'}: ${issue?.message}`;
  throw new RequestError(400, 'invalid_window', message, { field, index });
}

/**
 * Maintenance windows (issue 13 §3): read scope to list, operate scope to open or end one. The
 * principal is the actor of the audited change; a bad body is a 400 naming the field and changes nothing.
 */
export function maintenanceRoutes(deps: MaintenanceRouteDeps): Router {
  const router = express.Router();
  const now = deps.clock ?? Date.now;
  router.get('/v1/maintenance', deps.auth.require('read'), (req, res) => {
    const status = req.query.status;
    if (status !== undefined && !(typeof status === 'string' && (STATUSES as readonly string[]).includes(status))) {
      throw new RequestError(400, 'invalid_query', `status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
    }
    const t = now();
    const windows = deps.maintenance.all().filter((c) => status === undefined || c.status(t) === status).map((c) => windowBody(c, t));
    res.json({ windows });
  });
  router.get('/v1/maintenance/:id', deps.auth.require('read'), (req, res) => {
    const c = deps.maintenance.get(req.params.id as string);
    if (!c) throw new RequestError(404, 'not_found', `no maintenance window "${req.params.id}"`);
    res.json(windowBody(c, now()));
  });
  router.post('/v1/maintenance', deps.auth.require('operate'), express.json({ limit: '64kb' }), async (req, res) => {
    const spec = parseWindow(req.body);
    const c = await deps.maintenance.create(spec, req.principal?.name ?? 'unknown');
    res.status(201).json(windowBody(c, now()));
  });
  router.delete('/v1/maintenance/:id', deps.auth.require('operate'), async (req, res) => {
    const { window } = await deps.maintenance.end(req.params.id as string, req.principal?.name ?? 'unknown');
    res.json(windowBody(window, now()));
  });
  return router;
}
