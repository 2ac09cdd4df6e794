import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

/** A minimal SSE reader over node:http, so the tests see exactly the bytes a browser would. */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  ended = false;
  /** Every byte received, for non-stream answers such as a 401's JSON body. */
  text = '';
  #waiters: Array<() => void> = [];
  #buffer = '';

  private constructor(
    readonly req: ClientRequest,
    readonly res: IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.#onData(chunk));
    res.on('close', () => {
      this.ended = true;
      this.#wake();
    });
  }

  /** Opens the stream; resolves with the response once headers arrive (any status). */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => resolve(new SseClient(req, res)));
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  /** Waits until `predicate` holds over what has arrived, or fails after `timeoutMs`. */
  async waitFor(what: string, predicate: (c: SseClient) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.req.destroy();
  }

  #onData(chunk: string): void {
    this.text += chunk;
    this.#buffer += chunk;
    for (let i = this.#buffer.indexOf('\n\n'); i >= 0; i = this.#buffer.indexOf('\n\n')) {
      this.#onBlock(this.#buffer.slice(0, i));
      this.#buffer = this.#buffer.slice(i + 2);
    }
    this.#wake();
  }

  #onBlock(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) this.events.push({ event, data: JSON.parse(data.join('\n')) });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}
