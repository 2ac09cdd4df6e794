import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { RequestError } from '../../../errors';
import { QueryError } from '../../../rules/instant-query';

/** Prometheus' errorType for an HTTP status (web/api/v1: bad_data 400, execution 422, unavailable 503, ...). */
function errorTypeOf(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 422) return 'execution';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'bad_data';
}

/** `{"status":"success","data":...}` (with `warnings` only when there are some, as Prometheus). */
export function success(res: Response, data: unknown, warnings: readonly string[] = []): void {
  res.json(warnings.length > 0 ? { status: 'success', data, warnings } : { status: 'success', data });
}

export function failure(res: Response, status: number, errorType: string, message: string): void {
  res.status(status).json({ status: 'error', errorType, error: message });
}

/**
 * The Prometheus HTTP API's error shape, `{"status":"error","errorType":"bad_data","error":"..."}`,
 * for everything under /api/v1 but the remote-write receiver (Grafana shows `error` as is). 401 and
 * 403 keep their statuses with errorType unauthorized / forbidden (Prometheus itself has no auth).
 */
export function prometheusApiErrors(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof QueryError) return failure(res, err.errorType === 'bad_data' ? 400 : 422, err.errorType, err.message);
    if (err instanceof RequestError) return failure(res, err.status, errorTypeOf(err.status), err.message);
    const e = err as { status?: number; type?: string; message?: string };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return failure(res, e.status, 'bad_data', e.message ?? 'bad request');
    log.error({ err }, 'unhandled error in a Prometheus API handler');
    return failure(res, 500, 'internal', 'internal error');
  };
}
