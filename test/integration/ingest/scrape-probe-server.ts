import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { Sample } from '../../../src/signals/sample';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on an ephemeral port whose behaviour a test can change between requests. */
export interface TestTarget {
  readonly url: string;
  readonly port: number;
  readonly requests: IncomingHttpHeaders[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startTarget(handler: Handler): Promise<TestTarget> {
  const requests: IncomingHttpHeaders[] = [];
  const target = { handler } as { handler: Handler };
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    target.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(target, {
    url: `http://127.0.0.1:${port}/metrics`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export const reply = (status: number, body = '', contentType = 'text/plain; version=0.0.4'): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
};

/** Never answers: the client's timeout must end the request. */
export const hang: Handler = () => undefined;

/** Collects every batch the source hands over. */
export function collectingSink(): { sink: (s: Sample[]) => void; batches: Sample[][] } {
  const batches: Sample[][] = [];
  return { sink: (s) => void batches.push(s), batches };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A pino logger whose JSON lines a test can read. */
export function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, dest), lines };
}

export function find(batch: Sample[] | undefined, name: string): Sample | undefined {
  return batch?.find((s) => s.name === name);
}
