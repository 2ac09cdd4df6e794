import { errorMessage, RequestError } from '../errors';
import { ComponentChild, componentScriptPath, type ChildState } from './component-child';
import { SIM_COMPONENTS, type SimComponentName } from './components';
import type { Fault, FaultKind } from './fault';
import { RESTART_EXIT_CODE, type ComponentProcessOptions, type ComponentStatus } from './ipc-messages';

const MAX_REMEMBERED_RESTART_KEYS = 1000;

export interface SupervisorOptions {
  readonly host: string;
  readonly logDir: string;
  /** Port per component; 0 = any free port (kept across restarts). */
  readonly ports: ReadonlyMap<SimComponentName, number>;
  readonly diskCapacityBytes: number;
  readonly maxLogFileBytes: number;
  readonly postgresUrl?: string;
  readonly onEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { type: 'exited'; component: SimComponentName; code: number | null; signal: string | null; crashed: boolean }
  | { type: 'started'; component: SimComponentName; pid: number | undefined; port: number }
  | { type: 'start_failed'; component: SimComponentName; error: string };

export interface ComponentRecord {
  readonly name: SimComponentName;
  state: ChildState;
  port: number;
  child: ComponentChild | undefined;
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string } | undefined;
}

export interface ComponentSummary {
  readonly name: SimComponentName;
  readonly state: ChildState;
  readonly pid: number | null;
  readonly port: number;
  readonly restarts: number;
  readonly lastExit: ComponentRecord['lastExit'] | null;
  readonly status: ComponentStatus | null;
}

/**
 * Starts one process per component and keeps the record of each. A crash is NOT repaired here: a
 * crashed component stays down until someone (Warden's restart remediation, an operator) asks for
 * a restart, which is the point of the simulator (spec §11.2: service down -> restart).
 */
export class Supervisor {
  readonly #opts: SupervisorOptions;
  readonly #script = componentScriptPath();
  readonly #records = new Map<SimComponentName, ComponentRecord>();
  readonly #restartsInFlight = new Map<SimComponentName, Promise<ComponentSummary>>();
  readonly #restartsByKey = new Map<string, Promise<ComponentSummary>>();
  #stopping = false;

  constructor(opts: SupervisorOptions) {
    this.#opts = opts;
    for (const name of SIM_COMPONENTS) {
      this.#records.set(name, { name, state: 'stopped', port: opts.ports.get(name) ?? 0, child: undefined, restarts: 0, lastExit: undefined });
    }
  }

  async start(): Promise<void> {
    await Promise.all(SIM_COMPONENTS.map((name) => this.#spawn(this.#record(name))));
  }

  port(name: SimComponentName): number {
    return this.#record(name).port;
  }

  async applyFault(fault: Fault): Promise<unknown> {
    const record = this.#record(fault.component);
    const child = this.#running(record);
    const result = await child.request({ type: 'fault', fault });
    // A crash answers first and then exits; wait, so "crashed" is true when the caller hears back.
    if (fault.kind === 'crash') await child.exited;
    return result;
  }

  async clear(name: SimComponentName, kind?: FaultKind): Promise<unknown> {
    return this.#running(this.#record(name)).request({ type: 'clear', kind });
  }

  /**
   * Stops the component if it runs and starts a fresh process on the same port. As a service that
   * honours Idempotency-Key would (spec §9.1): a request with a key already seen gets that restart's
   * outcome, also while it is still starting, and restarts nothing more; a restart asked for while
   * one is starting joins it (one fresh process answers both). Only a failed restart can be retried
   * with its key. Without this, a caller whose first request timed out (a slow start on a loaded
   * host) and who retried got a 409 and took a working restart for a failed one.
   */
  async restart(name: SimComponentName, idempotencyKey?: string): Promise<ComponentSummary> {
    const record = this.#record(name);
    const key = idempotencyKey ? `${name} ${idempotencyKey}` : undefined;
    const known = key === undefined ? undefined : this.#restartsByKey.get(key);
    if (known) return known;
    const inFlight = this.#restartsInFlight.get(name);
    if (!inFlight && record.state === 'starting') throw new RequestError(409, 'restart_in_progress', `${name} is already starting`);
    const restart = inFlight ?? this.#restartNow(record);
    if (key !== undefined) this.#remember(key, restart);
    return restart;
  }

  #restartNow(record: ComponentRecord): Promise<ComponentSummary> {
    const restart = (async () => {
      const old = record.child;
      if (old?.alive) {
        record.state = 'stopped'; // an asked-for stop, not a crash
        await old.stop();
      }
      record.restarts += 1;
      await this.#spawn(record);
      return this.summary(record.name);
    })();
    this.#restartsInFlight.set(record.name, restart);
    const done = () => this.#restartsInFlight.delete(record.name);
    restart.then(done, done);
    return restart;
  }

  /** Bounded: the oldest keys go first (Warden's keys are one per firing, so few are ever reused). */
  #remember(key: string, restart: Promise<ComponentSummary>): void {
    this.#restartsByKey.set(key, restart);
    restart.catch(() => this.#restartsByKey.delete(key));
    while (this.#restartsByKey.size > MAX_REMEMBERED_RESTART_KEYS) this.#restartsByKey.delete(this.#restartsByKey.keys().next().value as string);
  }

  async summaries(): Promise<ComponentSummary[]> {
    return Promise.all(SIM_COMPONENTS.map((name) => this.summary(name)));
  }

  async summary(name: SimComponentName): Promise<ComponentSummary> {
    const r = this.#record(name);
    let status: ComponentStatus | null = null;
    if (r.state === 'running' && r.child?.alive) {
      status = (await r.child.request({ type: 'status' }).catch(() => null)) as ComponentStatus | null;
    }
    return { name, state: r.state, pid: r.child?.alive ? (r.child.pid ?? null) : null, port: r.port, restarts: r.restarts, lastExit: r.lastExit ?? null, status };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#records.values()].map(async (r) => {
      r.state = 'stopped';
      await r.child?.stop();
    }));
  }

  async #spawn(record: ComponentRecord): Promise<void> {
    record.state = 'starting';
    const opts: ComponentProcessOptions = {
      component: record.name,
      host: this.#opts.host,
      port: record.port,
      logDir: this.#opts.logDir,
      diskCapacityBytes: this.#opts.diskCapacityBytes,
      maxLogFileBytes: this.#opts.maxLogFileBytes,
      ...(this.#opts.postgresUrl ? { postgresUrl: this.#opts.postgresUrl } : {}),
    };
    try {
      const child = await ComponentChild.spawn(opts, this.#script);
      record.child = child;
      record.port = child.port;
      record.state = 'running';
      this.#opts.onEvent?.({ type: 'started', component: record.name, pid: child.pid, port: child.port });
      void child.exited.then((exit) => this.#onExit(record, child, exit));
    } catch (err) {
      record.state = 'crashed';
      throw err;
    }
  }

  #onExit(record: ComponentRecord, child: ComponentChild, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    if (record.child !== child) return;
    record.lastExit = { code: exit.code, signal: exit.signal, at: new Date().toISOString() };
    const asked = record.state === 'stopped' || this.#stopping;
    const wantsRestart = exit.code === RESTART_EXIT_CODE && !this.#stopping;
    if (!asked && !wantsRestart) record.state = 'crashed';
    this.#opts.onEvent?.({ type: 'exited', component: record.name, code: exit.code, signal: exit.signal, crashed: record.state === 'crashed' });
    if (wantsRestart) {
      // The component asked for it (POST /admin/restart): the HTTP restart driver's path.
      record.restarts += 1;
      this.#spawn(record).catch((err) => this.#opts.onEvent?.({ type: 'start_failed', component: record.name, error: errorMessage(err) }));
    }
  }

  #record(name: SimComponentName): ComponentRecord {
    const r = this.#records.get(name);
    if (!r) throw new RequestError(404, 'unknown_component', `no component "${name}"`);
    return r;
  }

  #running(record: ComponentRecord): ComponentChild {
    if (record.state !== 'running' || !record.child?.alive) {
      throw new RequestError(409, 'component_down', `${record.name} is ${record.state}: restart it first`);
    }
    return record.child;
  }
}
