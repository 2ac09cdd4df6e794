import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { RequestError } from '../errors';
import { simErrorHandler, simNotFound } from './sim-http-errors';
import { isSimComponent, SIM_COMPONENTS, type SimComponentName } from './components';
import type { DatabasePair } from './database-pair';
import { FAULT_KINDS, isDatabasePairFault, parseFault, type FaultKind } from './fault';
import { patroniApi } from './patroni-api';
import type { Supervisor } from './supervisor';
import type { TradingDesk } from './trading-desk';

/**
 * The supervisor's control API: inject and clear faults, see status, restart a component. This is
 * what `warden sim ...` talks to, and what a restart driver calls for a component that crashed
 * (a dead process has no admin endpoint of its own to call).
 */
export function controlApp(supervisor: Supervisor, desk: TradingDesk, log: Logger, db: { pair: DatabasePair; baseUrl: () => string }): Express {
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/status', async (_req, res) => {
    res.json({ components: await supervisor.summaries(), trading: desk.snapshot(), database: db.pair.snapshot() });
  });
  app.post('/faults', async (req, res) => {
    const fault = parseFault(req.body);
    const result = fault.kind === 'primary_down' ? primaryDown(db.pair, fault.rejoin_after_s) : await supervisor.applyFault(fault);
    log.warn({ fault }, `fault injected: ${fault.kind} on ${fault.component}`);
    res.json({ component: fault.component, kind: fault.kind, result });
  });
  app.post('/faults/clear', async (req, res) => {
    const body = (req.body ?? {}) as { component?: unknown; kind?: unknown };
    const component = componentParam(body.component, 'component');
    const kind = kindParam(body.kind);
    // The database pair's faults are cleared with the database component's (and alone by kind).
    const rejoined = component === 'database' && (kind === undefined || isDatabasePairFault(kind)) ? db.pair.clear() : [];
    const result = kind !== undefined && isDatabasePairFault(kind) ? { cleared: rejoined.length > 0 ? [kind] : [] } : await supervisor.clear(component, kind);
    log.info({ component, kind, rejoined }, 'faults cleared');
    res.json({ component, result, ...(rejoined.length > 0 ? { rejoined } : {}) });
  });
  app.post('/control/restart/:component', async (req, res) => {
    const component = componentParam(req.params.component, 'component');
    log.warn({ component }, 'restarting component');
    const key = req.get('idempotency-key');
    res.json(await supervisor.restart(component, key === undefined || key === '' ? undefined : key.slice(0, 200)));
  });
  app.use('/db/:member', patroniApi(db.pair, db.baseUrl, log));
  app.use(simNotFound);
  app.use(simErrorHandler(log));
  return app;
}

function primaryDown(pair: DatabasePair, rejoinAfterS: number): unknown {
  try {
    return { applied: 'primary_down', ...pair.primaryDown(rejoinAfterS * 1000) };
  } catch (err) {
    throw new RequestError(409, 'no_primary', (err as Error).message);
  }
}

function componentParam(value: unknown, field: string): SimComponentName {
  if (typeof value !== 'string' || !isSimComponent(value)) {
    throw new RequestError(400, 'unknown_component', `${field} must be one of ${SIM_COMPONENTS.join(', ')}`, { field });
  }
  return value;
}

function kindParam(value: unknown): FaultKind | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(FAULT_KINDS as readonly string[]).includes(value)) {
    throw new RequestError(400, 'invalid_fault', `kind must be one of ${FAULT_KINDS.join(', ')}`, { field: 'kind' });
  }
  return value as FaultKind;
}
