import { errorMessage, PermanentError, TransientError } from '../errors';

/** A small client for the simulator's control API (what `warden sim ...` uses). */
export class SimControlClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = 15_000) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  status(): Promise<unknown> {
    return this.#call('GET', '/status');
  }

  fault(body: Record<string, unknown>): Promise<unknown> {
    return this.#call('POST', '/faults', body);
  }

  clear(component: string, kind?: string): Promise<unknown> {
    return this.#call('POST', '/faults/clear', kind ? { component, kind } : { component });
  }

  restart(component: string): Promise<unknown> {
    return this.#call('POST', `/control/restart/${encodeURIComponent(component)}`);
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.#baseUrl + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new TransientError(`simulator not reachable at ${this.#baseUrl}: ${errorMessage(err)} (is \`warden sim start\` running?)`, { cause: err });
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (res.ok) return json;
    const message = (json as { error?: { message?: string } } | null)?.error?.message ?? text;
    const ErrorType = res.status >= 500 ? TransientError : PermanentError;
    throw new ErrorType(`simulator answered ${res.status}: ${message}`);
  }
}
