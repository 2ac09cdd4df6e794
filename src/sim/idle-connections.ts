import type { Client } from 'pg';

/**
 * Real idle PostgreSQL connections for the idle_connections fault (spec §11.2: connections idle for
 * more than 5 min are reaped). They connect, run one query and then sit idle, which is exactly what
 * reap_connections looks for; when it terminates them, `alive` drops and so does the metric.
 */
export class IdleConnections {
  readonly #url: string | undefined;
  readonly #clients = new Set<Client>();
  readonly #onEvent: (msg: string, extra: Record<string, unknown>) => void;
  #opened = 0;

  constructor(url: string | undefined, onEvent: (msg: string, extra: Record<string, unknown>) => void) {
    this.#url = url;
    this.#onEvent = onEvent;
  }

  get enabled(): boolean {
    return this.#url !== undefined;
  }

  counts(): { opened: number; alive: number } {
    return { opened: this.#opened, alive: this.#clients.size };
  }

  async open(count: number, applicationName: string): Promise<void> {
    if (!this.#url) return;
    // Loaded only when used: six component processes need not each carry pg in memory.
    const pg = await import('pg');
    for (let i = 0; i < count; i++) {
      const client = new pg.Client({ connectionString: this.#url, application_name: applicationName });
      // A terminated backend surfaces as an error on the idle client; that is the expected end.
      client.on('error', (err) => this.#drop(client, 'idle connection ended by the server', err.message));
      client.on('end', () => this.#drop(client, 'idle connection closed', ''));
      await client.connect();
      await client.query('SELECT 1');
      this.#clients.add(client);
      this.#opened += 1;
    }
    this.#onEvent('idle connections opened', { count, alive: this.#clients.size });
  }

  async closeAll(): Promise<void> {
    const clients = [...this.#clients];
    this.#clients.clear();
    this.#opened = 0;
    await Promise.all(clients.map((c) => c.end().catch((err: Error) => this.#onEvent('idle connection close failed', { error: err.message }))));
  }

  #drop(client: Client, msg: string, error: string): void {
    if (!this.#clients.delete(client)) return;
    this.#onEvent(msg, { error, alive: this.#clients.size });
  }
}
