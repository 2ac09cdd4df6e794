import { PermanentError, TransientError } from '../errors';
import type { AttemptDeadline } from './attempt-deadline';

/** Network error codes that mean "try again later" (spec §3.1: timeouts, refused connections). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/** 5xx and 429 retry; any other non-2xx is the caller's mistake and will not get better. */
export function errorForStatus(what: string, status: number, body: string): Error {
  const msg = `${what}: HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  return status >= 500 || status === 429 ? new TransientError(msg) : new PermanentError(msg);
}

/** A fetch() that threw: aborts through the deadline, network failures as transient. */
export function errorForFetchFailure(what: string, err: unknown, deadline: AttemptDeadline): Error {
  if (deadline.signal.aborted) return deadline.classify(err, what);
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  if (code && TRANSIENT_CODES.has(code)) return new TransientError(`${what}: ${code}`, { cause: err });
  // fetch reports most network failures as a bare "fetch failed" TypeError: worth a retry.
  return new TransientError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export interface HttpPostResult {
  status: number;
  body: string;
}

/** POSTs JSON with the given headers under a deadline; returns status and (bounded) body text. */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, deadline: AttemptDeadline, what: string): Promise<HttpPostResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: deadline.signal,
    });
  } catch (err) {
    throw errorForFetchFailure(what, err, deadline);
  }
  let text: string;
  try {
    text = (await res.text()).slice(0, 4096);
  } catch (err) {
    throw errorForFetchFailure(what, err, deadline);
  }
  return { status: res.status, body: text };
}
