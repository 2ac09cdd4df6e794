import { isTransient, PermanentError } from '../../../errors';
import { MAX_ATTEMPTS, retryDelayMs } from '../../../backoff';
import { TIMEOUTS_MS, attemptDeadline } from '../../attempt-deadline';
import { errorForStatus, postJson } from '../../http-outcome';
import type { NodeEndpoint } from './database-driver';

export interface RepointRequest {
  readonly cluster: string;
  readonly primary: string;
  readonly previous: string;
  readonly endpoint: NodeEndpoint | undefined;
  /** The cluster's failover generation: the exchange keeps the highest it has seen and refuses lower. */
  readonly epoch: number;
  readonly fencingToken: number;
  readonly idempotencyKey: string;
  readonly incident?: string;
  readonly reason?: string;
}

/**
 * `POST <exchange.admin_url>/database/primary`: points the exchange at the new primary (issue 14
 * §3). Every attempt carries the failover's Idempotency-Key (spec §9.1), so the exchange switches
 * once however often this is sent. Retried here with spec §3.1's backoff rather than by the job:
 * the promotion already happened, and a job retry would find its alert resolved and skip.
 */
export async function repointExchange(adminUrl: string, r: RepointRequest, signal: AbortSignal, sleep = defaultSleep): Promise<{ status: number; attempts: number }> {
  const url = `${adminUrl.replace(/\/+$/, '')}/database/primary`;
  const what = `failover_database: POST ${url}`;
  const body = {
    cluster: r.cluster,
    primary: { name: r.primary, ...(r.endpoint ?? {}) },
    previous: r.previous,
    epoch: r.epoch,
    fencingToken: r.fencingToken,
    incident: r.incident ?? null,
    reason: r.reason ?? null,
  };
  const headers = { 'idempotency-key': r.idempotencyKey, 'x-fencing-token': String(r.fencingToken) };
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await postJson(url, body, headers, attemptDeadline(signal, TIMEOUTS_MS.internalRpc), what);
      // A 409 (the exchange follows a newer epoch already) is permanent like any other 4xx: page.
      if (res.status >= 200 && res.status < 300) return { status: res.status, attempts: attempt };
      throw errorForStatus(what, res.status, res.body);
    } catch (err) {
      if (!isTransient(err) || attempt >= MAX_ATTEMPTS || signal.aborted) throw err instanceof Error ? err : new PermanentError(String(err));
      await sleep(retryDelayMs(attempt));
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
