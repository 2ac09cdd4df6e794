import { connect, type Socket } from 'node:net';

/**
 * pg_isready for probes (issue 14 §3: the primary's probe): opens a TCP connection, sends a
 * protocol-3.0 StartupMessage and reads the server's first answer, exactly as libpq's PQping does.
 * Any answer means the postmaster is accepting connections, *including* an authentication request or
 * an error such as "role does not exist", so a probe needs no password (no secret in warden.yaml);
 * only SQLSTATE 57P03 (cannot_connect_now: starting up, shutting down, crash recovery) means it is
 * not. A refused connection, a reset, or no answer within the timeout (a frozen postmaster still
 * completes TCP handshakes from the kernel's backlog) is a failure.
 */
export type PostgresPingResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: 'timeout' | 'connection_error' | 'rejected'; readonly message: string };

export interface PostgresPingTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

/** postgres://user@host:port/db (no password: the ping never authenticates). */
export function pingTargetFromUrl(url: string): PostgresPingTarget {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
}

const PROTOCOL_3_0 = 196_608;
/** The first message is tiny; more than this before a type and length is not PostgreSQL. */
const MAX_ANSWER_BYTES = 64 * 1024;

export function startupMessage(user: string, database: string): Buffer {
  const params = Buffer.from(`user\0${user}\0database\0${database}\0application_name\0warden-probe\0\0`, 'utf8');
  const msg = Buffer.alloc(8 + params.length);
  msg.writeInt32BE(msg.length, 0);
  msg.writeInt32BE(PROTOCOL_3_0, 4);
  params.copy(msg, 8);
  return msg;
}

/** SQLSTATE of an ErrorResponse body (fields: type byte + C string, ended by a 0 byte). */
export function errorResponseCode(body: Buffer): string | undefined {
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const type = String.fromCharCode(body[i] as number);
    const end = body.indexOf(0, i + 1);
    if (end < 0) return undefined;
    if (type === 'C') return body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return undefined;
}

/** Judges the server's first message; undefined while it is still incomplete. */
export function judgeFirstMessage(buf: Buffer): PostgresPingResult | undefined {
  if (buf.length < 5) return undefined;
  const type = String.fromCharCode(buf[0] as number);
  const length = buf.readInt32BE(1);
  if (type !== 'E') {
    // 'R' authentication request or ok, 'v' NegotiateProtocolVersion: the server is accepting.
    return type === 'R' || type === 'v' || type === 'N' ? { ok: true } : { ok: false, failure: 'connection_error', message: `not a PostgreSQL answer (message type ${JSON.stringify(type)})` };
  }
  if (length < 4 || length > MAX_ANSWER_BYTES) return { ok: false, failure: 'connection_error', message: 'malformed ErrorResponse' };
  if (buf.length < 1 + length) return undefined;
  const code = errorResponseCode(buf.subarray(5, 1 + length));
  if (code === '57P03') return { ok: false, failure: 'rejected', message: 'the server is not accepting connections (57P03: starting up, shutting down or in recovery)' };
  return { ok: true };
}

export function pingPostgres(target: PostgresPingTarget, timeoutMs: number, stopSignal?: AbortSignal): Promise<PostgresPingResult> {
  return new Promise((resolve) => {
    let settled = false;
    let received = Buffer.alloc(0);
    const socket: Socket = connect({ host: target.host, port: target.port });
    const finish = (r: PostgresPingResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopSignal?.removeEventListener('abort', onStop);
      socket.destroy();
      resolve(r);
    };
    const onStop = () => finish({ ok: false, failure: 'connection_error', message: 'stopped' });
    const timer = setTimeout(() => finish({ ok: false, failure: 'timeout', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    stopSignal?.addEventListener('abort', onStop, { once: true });
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(startupMessage(target.user, target.database)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = judgeFirstMessage(received);
      if (verdict) finish(verdict);
      else if (received.length > MAX_ANSWER_BYTES) finish({ ok: false, failure: 'connection_error', message: 'answer too long' });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, failure: 'connection_error', message: err.code ?? err.message }));
    socket.on('close', () => finish({ ok: false, failure: 'connection_error', message: 'connection closed before an answer' }));
  });
}
