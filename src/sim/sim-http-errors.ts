import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { RequestError } from '../errors';

/**
 * The simulator's HTTP errors, in the same {"error":{"code","message","field"?}} shape as Warden's
 * API. Its own copy: the simulator is a separate program and imports nothing of Warden's http/.
 */
export const simNotFound: RequestHandler = (req, _res, next) => {
  next(new RequestError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

export function simErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof RequestError) {
      const error: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.field !== undefined) error.field = err.field;
      res.status(err.status).json({ error });
      return;
    }
    const e = err as { status?: number; type?: string; message?: string };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const code = e.type === 'entity.parse.failed' ? 'malformed_json' : e.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request';
      res.status(e.status).json({ error: { code, message: e.message ?? 'bad request' } });
      return;
    }
    log.error({ err }, 'unhandled error in simulator HTTP handler');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
