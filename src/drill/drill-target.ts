import type { Logger } from 'pino';
import type { WardenConfig } from '../config/schema';
import type { DrillTarget } from './drill-report';
import { DrillSetupError } from './drill-setup-error';
import { errorMessage } from '../errors';
import { isSimComponent, portLayout } from '../sim/components';
import { SimControlClient } from '../sim/control-client';
import { startSimulator, type SimulatorHandle } from '../sim/start-simulator';

/** Where the drill's faults go, and which components a scenario may pick there. */
export interface FaultTarget {
  readonly control: SimControlClient;
  /** Probed components of the config that the target can break (a crash is seen by its probe). */
  readonly components: readonly string[];
  readonly describe: DrillTarget;
  /** Stops the simulator if the drill started it; otherwise nothing. */
  stop(): Promise<void>;
}

const REACH_TIMEOUT_MS = 1500;

/**
 * `drill.fault_hooks_url` if set (an exchange's own hooks, which must answer GET /status), else
 * the simulator of `simulator:`: used if its control API answers, started (and later stopped) if
 * nothing listens there. `check` sees the components a scenario may pick before anything starts.
 * Refuses when another Warden serves the config's port: its remediations
 * would race the drill's Warden, and the drill would not see them.
 */
export async function openFaultTarget(config: WardenConfig, log: Logger, check: (components: readonly string[], kind: DrillTarget['kind']) => void): Promise<FaultTarget> {
  await refuseIfWardenRuns(config);
  const probed = config.components.filter((c) => c.probe).map((c) => c.name);
  const hooks = config.drill.fault_hooks_url;
  if (hooks) {
    const control = new SimControlClient(hooks);
    const status = (await control.status().catch((err: unknown) => {
      throw new DrillSetupError(`drill.fault_hooks_url ${hooks} does not answer GET /status: ${errorMessage(err)}`);
    })) as { components?: Array<{ name?: unknown }> } | null;
    const known = new Set((status?.components ?? []).map((c) => String(c.name)));
    const components = probed.filter((n) => known.has(n));
    check(components, 'fault_hooks');
    return { control, components, describe: { kind: 'fault_hooks', url: hooks, started: false }, stop: async () => undefined };
  }
  const sim = config.simulator;
  if (!sim.enabled) {
    throw new DrillSetupError('nothing to inject faults into: set simulator.enabled: true (the exchange simulator) or drill.fault_hooks_url (an exchange\'s fault hooks) in the config');
  }
  const host = sim.host === '0.0.0.0' || sim.host === '::' ? '127.0.0.1' : sim.host;
  const controlUrl = `http://${host}:${portLayout(sim.base_port).controlPort}`;
  const components = probed.filter(isSimComponent);
  check(components, 'simulator'); // before the simulator is started: a refused drill starts nothing
  const answer = await reach(`${controlUrl}/healthz`);
  if (answer.kind === 'simulator') {
    log.info({ controlUrl }, 'drill: using the simulator already running');
    return { control: new SimControlClient(controlUrl), components, describe: { kind: 'simulator', url: controlUrl, started: false }, stop: async () => undefined };
  }
  if (answer.kind === 'other') throw new DrillSetupError(`the simulator's control port ${controlUrl} is taken and does not answer as the simulator (${answer.why}): free the ports or change simulator.base_port`);
  let handle: SimulatorHandle;
  try {
    handle = await startSimulator({ basePort: sim.base_port, host: sim.host, logDir: sim.log_dir, ...(sim.postgres_url ? { postgresUrl: sim.postgres_url } : {}), logger: log.child({ stage: 'sim' }) });
  } catch (err) {
    throw new DrillSetupError(`could not start the simulator on ports ${sim.base_port}-${sim.base_port + 7}: ${errorMessage(err)}`);
  }
  log.info({ controlUrl: handle.controlUrl }, 'drill: simulator started');
  return { control: new SimControlClient(handle.controlUrl), components, describe: { kind: 'simulator', url: handle.controlUrl, started: true }, stop: () => handle.stop() };
}

async function refuseIfWardenRuns(config: WardenConfig): Promise<void> {
  const port = config.server.port;
  if (port === 0) return;
  const url = `http://127.0.0.1:${port}/readyz`;
  const body = await fetch(url, { signal: AbortSignal.timeout(REACH_TIMEOUT_MS) }).then((r) => r.json() as Promise<unknown>, () => undefined).catch(() => undefined);
  if (body && typeof body === 'object' && 'checks' in body) {
    throw new DrillSetupError(`a Warden already serves ${url.replace('/readyz', '')} with this config: its remediations would race the drill's (and the drill would not see them). Stop it first (the drill runs its own Warden)`);
  }
}

type Reach = { kind: 'simulator' } | { kind: 'none' } | { kind: 'other'; why: string };

/** `simulator` when its /healthz says ok, `none` when nothing listens, `other` for anything else. */
async function reach(url: string): Promise<Reach> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
    const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
    return res.ok && body?.status === 'ok' ? { kind: 'simulator' } : { kind: 'other', why: `GET /healthz answered ${res.status}` };
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? { kind: 'none' } : { kind: 'other', why: errorMessage(err) };
  }
}
