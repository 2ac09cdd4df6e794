import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { TransientError } from '../errors';

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

/** Go's http.Client (Prometheus' scraper) gives up after 10 redirects; so do we. */
const MAX_REDIRECTS = 10;

/**
 * Keep-alive agents shared by every scrape and probe: a target is asked on the connection of its
 * last scrape, not with a new TCP handshake each interval. node:http rather than fetch: fetch's web
 * streams cost several times the CPU of a scrape (issue 10 §4: a quiet Warden's profile).
 */
const agents = {
  http: new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
  https: new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
};

/** GET with a timeout that covers the whole exchange, body and redirects included. */
export async function httpGet(url: string, o: HttpGetOptions): Promise<HttpGetResult> {
  if (o.stopSignal.aborted) throw new HttpGetError('stopped', 'stopped');
  const deadline = new Deadline(o.timeoutMs, o.stopSignal);
  try {
    let target = new URL(url);
    for (let redirects = 0; ; redirects++) {
      const res = await deadline.race((onRequest) => get(target, o.headers, onRequest));
      const location = res.headers.location;
      if (res.statusCode !== undefined && isRedirect(res.statusCode) && location !== undefined) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) throw new HttpGetError('connection_error', `stopped after ${MAX_REDIRECTS} redirects`);
        target = new URL(location, target);
        continue;
      }
      const body = await deadline.race(() => readBody(res, o.readBody));
      return { status: res.statusCode ?? 0, body };
    }
  } finally {
    deadline.clear();
  }
}

const isRedirect = (status: number) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

/**
 * One GET. A kept-alive connection the target closed just as we reused it fails with ECONNRESET
 * before any response; that request is sent once more on a fresh connection (as Go's client does
 * for idempotent requests), so an idle timeout on the target's side is not a failed scrape.
 */
function get(url: URL, headers: Record<string, string> | undefined, onRequest: (req: ClientRequest) => void, retried = false): Promise<IncomingMessage> {
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return Promise.reject(new HttpGetError('connection_error', `unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, { method: 'GET', agent: https ? agents.https : agents.http, headers: { 'accept-encoding': 'gzip', ...headers } }, resolve);
    onRequest(req);
    req.once('error', (err: NodeJS.ErrnoException) => {
      if (req.reusedSocket && !retried && err.code === 'ECONNRESET') get(url, headers, onRequest, true).then(resolve, reject);
      else reject(err);
    });
    req.end();
  });
}

/** The body, decoded as the target's Content-Encoding says; drained ('' returned) when not wanted. */
function readBody(res: IncomingMessage, wanted: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!wanted) {
      // Drain rather than leave the socket half-read, so keep-alive can reuse it.
      res.once('end', () => resolve('')).once('error', reject).resume();
      return;
    }
    const stream = decoded(res);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.once('error', reject);
    if (stream !== res) res.once('error', reject);
  });
}

function decoded(res: IncomingMessage): Readable {
  switch ((res.headers['content-encoding'] ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

/**
 * The exchange's one timer and the stop signal: either destroys the request in flight and turns
 * the wait into an HttpGetError that says which it was.
 */
class Deadline {
  readonly #timer: NodeJS.Timeout;
  readonly #stopSignal: AbortSignal;
  #req: ClientRequest | undefined;
  #fail: ((err: HttpGetError) => void) | undefined;
  #failure: HttpGetError | undefined;
  readonly #onStop = () => this.#end(new HttpGetError('stopped', 'stopped'));

  constructor(timeoutMs: number, stopSignal: AbortSignal) {
    this.#stopSignal = stopSignal;
    this.#timer = setTimeout(() => this.#end(new HttpGetError('timeout', `timed out after ${timeoutMs} ms`)), timeoutMs);
    stopSignal.addEventListener('abort', this.#onStop, { once: true });
  }

  race<T>(step: (onRequest: (req: ClientRequest) => void) => Promise<T>): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      this.#fail = reject;
      step((req) => (this.#req = req)).then(resolve, (err: unknown) => reject(this.#failure ?? toGetError(err)));
    });
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#stopSignal.removeEventListener('abort', this.#onStop);
  }

  #end(err: HttpGetError): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#req?.destroy(err);
    this.#fail?.(err);
  }
}

function toGetError(err: unknown): HttpGetError {
  if (err instanceof HttpGetError) return err;
  return new HttpGetError('connection_error', err instanceof Error ? err.message : String(err), { cause: err });
}
