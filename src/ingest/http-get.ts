import { TransientError } from '../errors';

export type FetchFn = typeof globalThis.fetch;

/** Why a GET got no HTTP response at all. */
export type GetFailure = 'timeout' | 'connection_error' | 'stopped';

/** No response: timed out, refused, reset, DNS... Always worth trying again on the next interval. */
export class HttpGetError extends TransientError {
  readonly failure: GetFailure;
  constructor(failure: GetFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpGetError';
    this.failure = failure;
  }
}

export interface HttpGetResult {
  readonly status: number;
  /** The body when asked for (scrapes); '' otherwise (probes only need the status). */
  readonly body: string;
}

export interface HttpGetOptions {
  readonly timeoutMs: number;
  /** Aborts the request when the source stops. */
  readonly stopSignal: AbortSignal;
  readonly headers?: Record<string, string>;
  readonly readBody: boolean;
}

/** GET with a timeout that covers the whole exchange, body included. */
export async function httpGet(fetchFn: FetchFn, url: string, o: HttpGetOptions): Promise<HttpGetResult> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = AbortSignal.any([o.stopSignal, timeout]);
  try {
    const res = await fetchFn(url, { method: 'GET', headers: o.headers, signal, redirect: 'follow' });
    if (o.readBody) return { status: res.status, body: await res.text() };
    // Drain rather than leave the socket half-read, so keep-alive can reuse it.
    await res.arrayBuffer();
    return { status: res.status, body: '' };
  } catch (err) {
    if (o.stopSignal.aborted) throw new HttpGetError('stopped', 'stopped', { cause: err });
    if (timeout.aborted) throw new HttpGetError('timeout', `timed out after ${o.timeoutMs} ms`, { cause: err });
    throw new HttpGetError('connection_error', describeFetchError(err), { cause: err });
  }
}

/**
 * undici says only "fetch failed"; the useful part (ECONNREFUSED 127.0.0.1:9) is in `cause`. Duck-typed
 * because fetch's errors may come from another realm (under jest), where instanceof Error fails.
 */
function describeFetchError(err: unknown): string {
  const message = (e: unknown): string => (typeof (e as Error)?.message === 'string' ? (e as Error).message : String(e));
  const cause = (err as { cause?: unknown })?.cause;
  return cause === undefined ? message(err) : `${message(err)}: ${message(cause)}`;
}
