import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { silentLogger } from '../telemetry/logger';
import { portLayout, SIM_COMPONENTS, type SimComponentName } from './components';
import { controlApp } from './control-server';
import { DatabasePair } from './database-pair';
import { DatabaseRouting } from './database-routing';
import { exchangeAdminApp } from './exchange-admin-server';
import { Supervisor, type SupervisorEvent } from './supervisor';
import { TradingDesk } from './trading-desk';

export interface StartSimulatorOptions {
  /** base = control API, base+1 = exchange admin, base+2.. = components. Omitted: free ports. */
  basePort?: number;
  logDir: string;
  /** Interface to bind; 0.0.0.0 in a container. @defaultValue '127.0.0.1' */
  host?: string;
  /** With it, idle_connections opens real idle PostgreSQL connections. */
  postgresUrl?: string;
  /** Size of the simulated log disk that disk_used_ratio is measured against. @defaultValue 64 MiB */
  diskCapacityBytes?: number;
  /** Log rotation size. @defaultValue 4 MiB */
  maxLogFileBytes?: number;
  logger?: Logger;
}

export interface SimulatedComponent {
  readonly name: SimComponentName;
  readonly metricsUrl: string;
  readonly healthUrl: string;
  /** The component's own admin base URL (POST <adminUrl>/restart while it runs). */
  readonly adminUrl: string;
  /** The supervisor's restart endpoint: works for a crashed component too. */
  readonly restartUrl: string;
}

export interface SimulatorHandle {
  readonly components: SimulatedComponent[];
  readonly controlUrl: string;
  readonly exchangeAdminUrl: string;
  readonly logDir: string;
  /** Stops every component process and both listeners; safe to call twice. */
  stop(): Promise<void>;
}

export const DEFAULT_DISK_CAPACITY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_LOG_FILE_BYTES = 4 * 1024 * 1024;

export async function startSimulator(opts: StartSimulatorOptions): Promise<SimulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? silentLogger();
  const logDir = resolve(opts.logDir);
  mkdirSync(logDir, { recursive: true });
  const layout = opts.basePort !== undefined ? portLayout(opts.basePort) : undefined;
  const ports = new Map<SimComponentName, number>(SIM_COMPONENTS.map((n) => [n, layout?.componentPorts.get(n) ?? 0]));
  const supervisor = new Supervisor({
    host,
    logDir,
    ports,
    diskCapacityBytes: opts.diskCapacityBytes ?? DEFAULT_DISK_CAPACITY_BYTES,
    maxLogFileBytes: opts.maxLogFileBytes ?? DEFAULT_MAX_LOG_FILE_BYTES,
    ...(opts.postgresUrl ? { postgresUrl: opts.postgresUrl } : {}),
    onEvent: (e) => logSupervisorEvent(log, e),
  });
  const desk = new TradingDesk(Date.now);
  const pair = new DatabasePair(Date.now);
  const servers: Server[] = [];
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const base = (port: number) => `http://${urlHost}:${port}`;
  try {
    await supervisor.start();
    servers.push(await listen(controlApp(supervisor, desk, log, { pair, baseUrl: () => base(portOf(servers[0] as Server)) }), layout?.controlPort ?? 0, host));
    servers.push(await listen(exchangeAdminApp(desk, new DatabaseRouting(Date.now), log), layout?.exchangeAdminPort ?? 0, host));
  } catch (err) {
    await Promise.all([supervisor.stop(), ...servers.map(close)]);
    throw err;
  }
  const controlUrl = base(portOf(servers[0] as Server));
  let stopped: Promise<void> | undefined;
  const handle: SimulatorHandle = {
    components: SIM_COMPONENTS.map((name) => {
      const url = base(supervisor.port(name));
      return { name, metricsUrl: `${url}/metrics`, healthUrl: `${url}/healthz`, adminUrl: `${url}/admin`, restartUrl: `${controlUrl}/control/restart/${name}` };
    }),
    controlUrl,
    exchangeAdminUrl: base(portOf(servers[1] as Server)),
    logDir,
    stop() {
      stopped ??= Promise.all([supervisor.stop(), ...servers.map(close)]).then(() => undefined);
      return stopped;
    },
  };
  log.info({ controlUrl, exchangeAdminUrl: handle.exchangeAdminUrl, logDir }, 'exchange simulator running');
  return handle;
}

function logSupervisorEvent(log: Logger, e: SupervisorEvent): void {
  if (e.type === 'exited' && e.crashed) log.warn(e, `simulated ${e.component} crashed`);
  else if (e.type === 'start_failed') log.error(e, `simulated ${e.component} failed to start`);
  else log.debug(e, `simulated ${e.component} ${e.type}`);
}

async function listen(app: { listen: (port: number, host: string) => Server }, port: number, host: string): Promise<Server> {
  const server = app.listen(port, host);
  await once(server, 'listening');
  return server;
}

function portOf(server: Server): number {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}
