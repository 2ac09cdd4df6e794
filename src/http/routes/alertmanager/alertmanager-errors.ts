import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { RequestError } from '../../../errors';

/**
 * Alertmanager API v2 answers errors with a JSON string (the openapi's BadRequest / InternalServerError
 * `type: string`), which amtool prints as is. Mounted on the /api/v2 routers only; /v1 keeps Warden's shape.
 */
export function alertmanagerErrors(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const e = err as { status?: number; type?: string; message?: string };
    if (err instanceof RequestError) {
      res.status(err.status).json(err.message);
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json(e.message ?? 'request entity too large');
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json(`parsing body failed: ${e.message ?? 'malformed JSON'}`);
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json(e.message ?? 'bad request');
      return;
    }
    log.error({ err }, 'unhandled error in an Alertmanager API handler');
    res.status(500).json('internal error');
  };
}
