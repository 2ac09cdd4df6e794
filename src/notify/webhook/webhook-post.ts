import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * One webhook POST over node:http(s): a body, headers, an abort signal that covers the whole
 * exchange (redirects and response body included), and the status with the start of the answer.
 * node:https rather than fetch because a webhook may trust its own CA or present a client
 * certificate (tls_config), which Node's fetch cannot do without the undici package.
 */

export interface WebhookAnswer {
  readonly status: number;
  /** The first bytes of the response body, for error messages. */
  readonly bodyStart: string;
  /** Where a redirect that was not followed pointed. */
  readonly location?: string;
}

export interface WebhookPostOptions {
  readonly headers: OutgoingHttpHeaders;
  readonly signal: AbortSignal;
  readonly agents: WebhookAgents;
  /** Follow 307/308 (which keep method and body), as Go's client does with follow_redirects. */
  readonly followRedirects: boolean;
}

export interface WebhookAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/** Go's http.Client gives up after 10 redirects. */
const MAX_REDIRECTS = 10;
/** Enough of an error body to say what the receiver complained about. */
const BODY_START_BYTES = 1024;

/** Agents of one webhook config. No keep-alive: deliveries are rare, and a reused socket reset would fail a POST that cannot be resent blindly. */
export function webhookAgents(tls?: { ca?: string; cert?: string; key?: string; servername?: string; rejectUnauthorized: boolean }): WebhookAgents {
  return { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false, ...(tls ?? {}) }) };
}

export async function postWebhook(url: string, body: string, o: WebhookPostOptions): Promise<WebhookAnswer> {
  let target = new URL(url);
  let headers = o.headers;
  for (let redirects = 0; ; redirects++) {
    const res = await postOnce(target, body, headers, o);
    const location = res.location;
    if (!o.followRedirects || (res.status !== 307 && res.status !== 308) || location === undefined) return res;
    if (redirects >= MAX_REDIRECTS) throw new Error(`stopped after ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, target);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return res;
    // Go's client: credentials are not forwarded to another host.
    if (next.host !== target.host) headers = withoutAuthorization(headers);
    target = next;
  }
}

function postOnce(url: URL, body: string, headers: OutgoingHttpHeaders, o: WebhookPostOptions): Promise<WebhookAnswer> {
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      agent: https ? o.agents.https : o.agents.http,
      signal: o.signal,
    }, (res) => readAnswer(res).then(resolve, reject));
    req.once('error', reject);
    req.end(body);
  });
}

function readAnswer(res: IncomingMessage): Promise<WebhookAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    res.on('data', (chunk: Buffer) => {
      if (kept >= BODY_START_BYTES) return; // read and dropped: the connection must be drained
      chunks.push(chunk.subarray(0, BODY_START_BYTES - kept));
      kept += Math.min(chunk.length, BODY_START_BYTES - kept);
    });
    res.once('error', reject);
    // An abort (the attempt's timeout) mid-body may end the response with 'close' alone.
    res.once('close', () => {
      if (!res.complete) reject(new Error('connection closed before the response was complete'));
    });
    res.once('end', () => {
      const location = res.headers.location;
      resolve({ status: res.statusCode ?? 0, bodyStart: Buffer.concat(chunks).toString('utf8'), ...(location !== undefined ? { location } : {}) });
    });
  });
}

function withoutAuthorization(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'authorization') out[k] = v;
  return out;
}
