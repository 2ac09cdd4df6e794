import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { RequestError } from '../errors';

/** The one error shape: {"error":{"code","message","index"?,"field"?}}. */
export function errorBody(code: string, message: string, extra: { index?: number; field?: string } = {}) {
  const error: Record<string, unknown> = { code, message };
  if (extra.index !== undefined) error.index = extra.index;
  if (extra.field !== undefined) error.field = extra.field;
  return { error };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new RequestError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof RequestError) {
      res.status(err.status).json(errorBody(err.code, err.message, { index: err.index, field: err.field }));
      return;
    }
    // body-parser errors carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json(errorBody('payload_too_large', e.message ?? 'request body too large'));
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('malformed_json', `malformed JSON: ${e.message ?? ''}`.trim()));
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json(errorBody('bad_request', e.message ?? 'bad request'));
      return;
    }
    log.error({ err }, 'unhandled error in HTTP handler');
    res.status(500).json(errorBody('internal', 'internal error'));
  };
}
