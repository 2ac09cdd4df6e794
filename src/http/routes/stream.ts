import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth';
import type { WardenEventMap, WardenEvents } from '../../warden-events';
import { SseConnection } from '../console/sse-connection';
import { STREAM_EVENTS, type StreamEventTable } from '../console/stream-events';

export interface StreamRouteDeps {
  auth: Authenticator;
  events: WardenEvents;
  /** The `snapshot` event's body; see consoleSnapshot(). */
  snapshot: () => unknown;
  /** @defaultValue 15000 */
  heartbeatMs?: number;
  /** A fresh snapshot this often, so the console can tell live-but-quiet from stalled. @defaultValue 10000 */
  snapshotIntervalMs?: number;
  /** @defaultValue 1 MiB */
  maxBufferedBytes?: number;
  /** @defaultValue STREAM_EVENTS */
  table?: StreamEventTable;
  log?: Logger;
}

/**
 * EventSource cannot send headers, so /v1/stream (and only it) also takes `?access_token=`. It goes
 * through the same Authenticator (constant-time compare, same 401/403). Tokens in URLs can end up in
 * proxy logs and browser history: prefer the header, as Warden's own console does.
 */
const acceptAccessToken: RequestHandler = (req, _res, next) => {
  const token = req.query.access_token;
  if (req.headers.authorization === undefined && typeof token === 'string') req.headers.authorization = `Bearer ${token}`;
  next();
};

type Listener = (...args: unknown[]) => void;

/**
 * GET /v1/stream (read scope): Server-Sent Events. One `snapshot` first, then every event of the
 * table as it happens on the bus, a fresh `snapshot` every snapshotIntervalMs, heartbeat comments.
 */
export function streamRoutes(deps: StreamRouteDeps): Router {
  const router = express.Router();
  const table = deps.table ?? STREAM_EVENTS;
  const snapshotIntervalMs = deps.snapshotIntervalMs ?? 10_000;
  router.get('/v1/stream', acceptAccessToken, deps.auth.require('read'), (req, res) => {
    const listeners: Array<[keyof WardenEventMap, Listener]> = [];
    let resync: NodeJS.Timeout | undefined;
    const conn = new SseConnection(res, {
      heartbeatMs: deps.heartbeatMs ?? 15_000,
      maxBufferedBytes: deps.maxBufferedBytes ?? 1024 * 1024,
      onClose: (reason) => {
        clearInterval(resync);
        for (const [name, fn] of listeners) deps.events.off(name, fn as never);
        if (reason === 'too_slow') deps.log?.warn({ principal: req.principal?.name }, 'console stream client too slow; dropped');
      },
    });
    // Subscribe before the snapshot, so nothing that happens in between is lost; events carry
    // their target state, so one seen twice draws the same picture.
    for (const name of Object.keys(table) as Array<keyof WardenEventMap>) {
      const shape = table[name] as (...args: unknown[]) => unknown;
      const fn: Listener = (...args) => conn.send(name, shape(...args));
      deps.events.on(name, fn as never);
      listeners.push([name, fn]);
    }
    const sendSnapshot = () => {
      try {
        conn.send('snapshot', deps.snapshot());
      } catch (err) {
        // Headers are already sent, so the error shape cannot be used: end the stream; the client
        // reconnects and shows "disconnected" meanwhile rather than a picture Warden could not build.
        deps.log?.error({ err }, 'console snapshot failed; closing the stream');
        res.destroy();
      }
    };
    sendSnapshot();
    resync = setInterval(sendSnapshot, snapshotIntervalMs);
    resync.unref();
  });
  return router;
}
