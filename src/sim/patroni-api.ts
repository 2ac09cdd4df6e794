import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { DatabasePair, DbMemberName } from './database-pair';

/**
 * Each simulated database node's Patroni REST API, at `<control url>/db/<member>/...` (Patroni
 * serves one per node on :8008; the path prefix stands for the host). The subset Warden's patroni
 * driver and probes use, in Patroni's wire format (api.py): GET /patroni and /cluster (JSON),
 * GET /health, /primary (/leader, /master, /read-write) and /replica (200 or 503 with the status
 * document), POST /failover (text answers: 200 "Successfully failed over to ...", 412, 400).
 * A member whose host is down answers nothing: the connection is reset.
 */
export function patroniApi(pair: DatabasePair, baseUrl: () => string, log: Logger): Router {
  const router = express.Router({ mergeParams: true });
  const member = (req: Request, res: Response): DbMemberName | undefined => {
    const name = String(req.params.member);
    if (!pair.isMember(name)) {
      res.status(404).type('text/html').send(`no database node "${name}"`);
      return undefined;
    }
    if (!pair.running(name)) {
      req.socket.destroy(); // the host is gone: no HTTP answer at all
      return undefined;
    }
    return name;
  };
  const statusCheck = (ok: (status: Record<string, unknown>) => boolean) => (req: Request, res: Response) => {
    const name = member(req, res);
    if (!name) return;
    const s = pair.status(name);
    res.status(ok(s) ? 200 : 503).json(s);
  };
  router.get('/patroni', (req, res) => {
    const name = member(req, res);
    if (name) res.json(pair.status(name));
  });
  router.get('/cluster', (req, res) => {
    if (member(req, res)) res.json(pair.cluster((n) => `${baseUrl()}/db/${n}`));
  });
  router.get('/health', statusCheck((s) => s.state === 'running'));
  router.get(['/', '/primary', '/leader', '/master', '/read-write'], statusCheck((s) => s.state === 'running' && s.role === 'primary'));
  router.get('/replica', statusCheck((s) => s.state === 'running' && s.role === 'replica'));
  router.post('/failover', (req, res) => {
    if (!member(req, res)) return;
    const reply = pair.failover((req.body ?? {}) as { leader?: unknown; candidate?: unknown });
    if (reply.status === 200) log.warn({ candidate: (req.body as { candidate?: unknown }).candidate }, 'simulated database failed over');
    res.status(reply.status).type('text/html').send(reply.text);
  });
  return router;
}
