import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { RequestError } from '../errors';
import { errorHandler, notFound } from '../http/error-handler';
import { isSimComponent, SIM_COMPONENTS, type SimComponentName } from './components';
import { FAULT_KINDS, parseFault, type FaultKind } from './fault';
import type { Supervisor } from './supervisor';
import type { TradingDesk } from './trading-desk';

/**
 * The supervisor's control API: inject and clear faults, see status, restart a component. This is
 * what `warden sim ...` talks to, and what a restart driver calls for a component that crashed
 * (a dead process has no admin endpoint of its own to call).
 */
export function controlApp(supervisor: Supervisor, desk: TradingDesk, log: Logger): Express {
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/status', async (_req, res) => {
    res.json({ components: await supervisor.summaries(), trading: desk.snapshot() });
  });
  app.post('/faults', async (req, res) => {
    const fault = parseFault(req.body);
    const result = await supervisor.applyFault(fault);
    log.warn({ fault }, `fault injected: ${fault.kind} on ${fault.component}`);
    res.json({ component: fault.component, kind: fault.kind, result });
  });
  app.post('/faults/clear', async (req, res) => {
    const body = (req.body ?? {}) as { component?: unknown; kind?: unknown };
    const component = componentParam(body.component, 'component');
    const kind = kindParam(body.kind);
    const result = await supervisor.clear(component, kind);
    log.info({ component, kind }, 'faults cleared');
    res.json({ component, result });
  });
  app.post('/control/restart/:component', async (req, res) => {
    const component = componentParam(req.params.component, 'component');
    log.warn({ component }, 'restarting component');
    const key = req.get('idempotency-key');
    res.json(await supervisor.restart(component, key === undefined || key === '' ? undefined : key.slice(0, 200)));
  });
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
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
