import { parseDurationMs } from '../../../config/duration';
import type { ExecutionContext, ExecutionResult } from '../../executor';
import { attemptDeadline } from '../../attempt-deadline';
import { errorForStatus, postJson } from '../../http-outcome';
import { PermanentError } from '../../../errors';
import { substituteTarget, type HttpRestartParams } from './restart-params';
import { assertSafeTarget } from '../../target-safety';

/** The URL to POST: an absolute `url` as is, a path against the configured base (none: permanent). */
export function restartUrl(target: string, p: HttpRestartParams, baseUrl: string | undefined): string {
  assertSafeTarget('restart', target);
  const path = substituteTarget(p.url, encodeURIComponent(target));
  if (!path.startsWith('/')) return path;
  if (!baseUrl) throw new PermanentError(`restart ${target}: url ${p.url} is a path but remediation.executors.restart.http_base_url is not configured`);
  return baseUrl.replace(/\/+$/, '') + path;
}

/**
 * POSTs to a service's admin endpoint. The Idempotency-Key is the job's (same on every attempt,
 * spec §9.1) so a retry after a lost response does not restart twice; the fencing token lets the
 * service refuse a stale Warden replica (spec §5).
 */
export async function restartWithHttp(target: string, p: HttpRestartParams, ctx: ExecutionContext, baseUrl?: string): Promise<ExecutionResult> {
  const url = restartUrl(target, p, baseUrl);
  const deadline = attemptDeadline(ctx.signal, parseDurationMs(p.timeout) as number);
  const what = `restart ${target}: POST ${url}`;
  const headers = { 'idempotency-key': ctx.idempotencyKey, 'x-fencing-token': String(ctx.fencingToken) };
  const res = await postJson(url, { target, ...p.body }, headers, deadline, what);
  if (res.status < 200 || res.status >= 300) throw errorForStatus(what, res.status, res.body);
  return { summary: `restarted ${target} via ${url} (HTTP ${res.status})`, details: { driver: 'http', url, status: res.status, response: res.body } };
}
