import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RestartRecorder {
  /** http://127.0.0.1:<port>, for a restart driver's url. */
  readonly url: string;
  /** The path of every restart request, in arrival order. */
  readonly restarts: string[];
  close(): Promise<void>;
}

/** A service admin endpoint that records every restart request and answers 200 {"restarting":true}. */
export async function startRestartRecorder(): Promise<RestartRecorder> {
  const restarts: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      restarts.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"restarting":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    restarts,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
