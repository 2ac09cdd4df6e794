import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { simErrorHandler, simNotFound } from './sim-http-errors';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition';
import type { DatabaseRouting } from './database-routing';
import type { TradingDesk } from './trading-desk';

/**
 * The exchange's admin service: what Warden's halt_trading executor calls (issue 4 §3). It lives in
 * the supervisor, not in a component, so a halt is remembered while components crash and restart.
 */
export function exchangeAdminApp(desk: TradingDesk, routing: DatabaseRouting, log: Logger): Express {
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/trading', (_req, res) => {
    res.json(desk.snapshot());
  });
  for (const action of ['halt', 'resume'] as const) {
    app.post(`/trading/${action}`, (req, res) => {
      const reply = desk.request(action, req.get('idempotency-key'), req.body);
      if (reply.body.changed) log.warn({ action, reason: reply.body.reason, incident: reply.body.incident }, `trading ${action === 'halt' ? 'halted' : 'resumed'}`);
      res.status(reply.status).json(reply.body);
    });
  }
  // issue 14 §3: failover_database points the exchange at the new primary.
  app.get('/database', (_req, res) => {
    res.json(routing.snapshot());
  });
  app.post('/database/primary', (req, res) => {
    const reply = routing.request(req.get('idempotency-key'), req.body);
    if (reply.body.changed) log.warn({ primary: reply.body.primary, epoch: reply.body.epoch }, 'exchange now writes to a new database primary');
    res.status(reply.status).json(reply.body);
  });
  app.get('/metrics', (_req, res) => {
    const t = desk.snapshot();
    res.type(EXPOSITION_CONTENT_TYPE).send(renderExposition([
      { name: 'exchange_trading_halted', help: '1 while trading is halted on the exchange.', type: 'gauge', samples: [{ labels: {}, value: t.state === 'halted' ? 1 : 0 }] },
      { name: 'exchange_trading_halts_total', help: 'Times trading was halted (idempotent repeats excluded).', type: 'counter', samples: [{ labels: {}, value: t.halts }] },
    ]));
  });
  app.use(simNotFound);
  app.use(simErrorHandler(log));
  return app;
}
