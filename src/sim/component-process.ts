import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorMessage } from '../errors';
import { ComponentState } from './component-state';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition';
import { IdleConnections } from './idle-connections';
import { RESTART_EXIT_CODE, type ComponentMessage, type ComponentProcessOptions, type ComponentStatus, type SupervisorRequest } from './ipc-messages';
import { RotatingLog } from './rotating-log';

/**
 * One simulated exchange component, run as its own Node process by the supervisor (issue 6 §1), so
 * a crash fault really kills a process and a restart really starts a new one.
 */
const HEARTBEAT_MS = 5000;
const DISK_FILL_TICK_MS = 250;
const FILLER_CHUNK_BYTES = 64 * 1024;

export class ComponentProcess {
  readonly #opts: ComponentProcessOptions;
  readonly #log: RotatingLog;
  readonly #connections: IdleConnections;
  readonly #state: ComponentState;
  readonly #server: Server;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(opts: ComponentProcessOptions) {
    this.#opts = opts;
    this.#log = new RotatingLog({ dir: opts.logDir, component: opts.component, maxFileBytes: opts.maxLogFileBytes });
    this.#connections = new IdleConnections(opts.postgresUrl, (msg, extra) => this.#log.line('warn', msg, extra));
    this.#state = new ComponentState({
      component: opts.component,
      clock: Date.now,
      random: Math.random,
      logBytes: () => this.#log.totalBytes(),
      diskCapacityBytes: opts.diskCapacityBytes,
      idleConnections: () => this.#connections.counts(),
    });
    this.#server = createServer((req, res) => void this.#route(req, res));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => resolve());
    });
    const address = this.#server.address();
    const port = typeof address === 'object' && address ? address.port : this.#opts.port;
    this.#log.line('info', 'component started', { pid: process.pid, port });
    this.#timers.push(setInterval(() => this.#heartbeat(), HEARTBEAT_MS));
    this.#timers.push(setInterval(() => this.#fillDisk(), DISK_FILL_TICK_MS));
    return port;
  }

  async handle(req: SupervisorRequest): Promise<{ result: unknown; after?: () => void }> {
    if (req.type === 'status') return { result: this.status() };
    if (req.type === 'clear') {
      const cleared = this.#state.clear(req.kind);
      if (cleared.includes('idle_connections')) await this.#connections.closeAll();
      this.#log.line('info', 'faults cleared', { cleared });
      return { result: { cleared } };
    }
    const fault = req.fault;
    this.#log.line('warn', `fault injected: ${fault.kind}`, { fault });
    if (fault.kind === 'crash') {
      this.#log.line('error', 'crashing on purpose (fault injection)');
      return { result: { applied: 'crash' }, after: () => process.exit(1) };
    }
    if (fault.kind === 'idle_connections') await this.#connections.open(fault.connections, `warden-sim-${this.#opts.component}-idle`);
    this.#state.apply(fault);
    return { result: { applied: fault.kind, idleConnectionsReal: fault.kind === 'idle_connections' ? this.#connections.enabled : undefined } };
  }

  status(): ComponentStatus {
    const metrics: Record<string, number> = {};
    for (const f of this.#state.metricFamilies()) metrics[f.name] = f.samples[0]?.value ?? NaN;
    return { faults: this.#state.active(), metrics, healthy: this.#state.healthy() };
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await this.#connections.closeAll();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#log.line('info', 'component stopped');
    this.#log.close();
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const delayMs = this.#state.latencyMs();
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE }).end(renderExposition(this.#state.metricFamilies()));
    } else if (req.method === 'GET' && path === '/healthz') {
      const healthy = this.#state.healthy();
      sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'unhealthy', component: this.#opts.component });
    } else if (req.method === 'GET' && path === '/admin/faults') {
      sendJson(res, 200, this.status());
    } else if (req.method === 'POST' && path === '/admin/restart') {
      this.#log.line('warn', 'restart requested through /admin/restart');
      sendJson(res, 202, { component: this.#opts.component, restarting: true });
      // The supervisor starts a fresh process on this exit code: memory and faults are gone.
      res.once('finish', () => void this.stop().finally(() => process.exit(RESTART_EXIT_CODE)));
    } else {
      sendJson(res, 404, { error: { code: 'not_found', message: `no route for ${req.method} ${path}` } });
    }
  }

  #heartbeat(): void {
    this.#log.line('info', 'heartbeat', this.status().metrics);
  }

  #fillDisk(): void {
    const fault = this.#state.fault('disk_fill');
    if (!fault) return;
    let bytes = Math.min(this.#state.diskFillBytesWanted(), Math.ceil(fault.rate_bytes_per_s * (DISK_FILL_TICK_MS / 1000)));
    while (bytes > 0) {
      const chunk = Math.min(bytes, FILLER_CHUNK_BYTES);
      this.#log.write(fillerLines(chunk));
      bytes -= chunk;
    }
  }
}

/** Real, readable log lines of about `bytes` bytes in total (a debug dump gone wild). */
function fillerLines(bytes: number): string {
  const line = `${JSON.stringify({ time: new Date().toISOString(), level: 'debug', msg: 'order book snapshot', pad: 'x'.repeat(900) })}\n`;
  return line.repeat(Math.max(1, Math.floor(bytes / line.length)));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function send(msg: ComponentMessage, cb?: () => void): void {
  if (process.send) process.send(msg, undefined, undefined, cb);
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as ComponentProcessOptions;
  const component = new ComponentProcess(opts);
  const port = await component.start();
  process.on('message', (raw: SupervisorRequest) => {
    component.handle(raw).then(
      ({ result, after }) => send({ type: 'reply', id: raw.id, ok: true, result }, after),
      (err) => send({ type: 'reply', id: raw.id, ok: false, error: { status: 500, code: 'fault_failed', message: errorMessage(err) } }),
    );
  });
  // Without the supervisor nobody can restart or clear us: leave with it, never linger as an orphan.
  process.on('disconnect', () => void component.stop().finally(() => process.exit(0)));
  process.on('SIGTERM', () => void component.stop().finally(() => process.exit(0)));
  send({ type: 'ready', port });
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`sim component failed to start: ${errorMessage(err)}\n`);
    process.exit(2);
  });
}
