import type { Response } from 'express';

export interface SseConnectionOptions {
  /** Heartbeat comment interval; proxies and load balancers drop idle connections (~30-60 s). */
  heartbeatMs: number;
  /**
   * Bytes the socket may hold unsent before the client is dropped. A console that cannot keep up
   * reconnects and gets a fresh snapshot; growing Warden's memory for it would be the wrong trade.
   */
  maxBufferedBytes: number;
  /** Called exactly once, however the connection ends (client gone, dropped, or server closing). */
  onClose: (reason: 'client_closed' | 'too_slow') => void;
}

/**
 * One Server-Sent Events client: writes named events as single-line JSON, sends heartbeat comments,
 * and bounds what it buffers for a slow reader.
 */
export class SseConnection {
  readonly #res: Response;
  readonly #opts: SseConnectionOptions;
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;

  constructor(res: Response, opts: SseConnectionOptions) {
    this.#res = res;
    this.#opts = opts;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers responses by default, which would hold events back.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), opts.heartbeatMs);
    this.#heartbeat.unref();
    res.on('close', () => this.#close('client_closed'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one event; JSON.stringify never emits a newline, so one `data:` line suffices. */
  send(event: string, data: unknown): void {
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #write(chunk: string): void {
    if (this.#closed) return;
    if (this.#res.writableLength + Buffer.byteLength(chunk) > this.#opts.maxBufferedBytes) {
      this.#close('too_slow');
      this.#res.destroy();
      return;
    }
    this.#res.write(chunk);
  }

  #close(reason: 'client_closed' | 'too_slow'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#opts.onClose(reason);
  }
}
