import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from '../../../src/remediate/executor';
import { silentLogger } from '../../../src/telemetry/logger';

export function executionContext(overrides: Partial<ExecutionContext> = {}): ExecutionContext {
  return {
    jobId: 'job-1',
    idempotencyKey: 'idem-1',
    fencingToken: 7,
    attempt: 1,
    signal: new AbortController().signal,
    log: silentLogger(),
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on an ephemeral port; `respond` decides each answer. */
export async function recordingServer(respond: (req: RecordedRequest, res: ServerResponse) => void): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(r);
      respond(r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export function reply(res: ServerResponse, status: number, body: unknown = {}): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
