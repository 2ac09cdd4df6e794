import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { RequestError, errorMessage } from '../errors';
import type { Logger } from '../telemetry/logger';
import type { WindowSpec } from '../config/maintenance-schema';
import { MaintenanceStore } from './maintenance-store';
import { CompiledWindow, type MaintenanceWindow } from './maintenance-window';

export interface MaintenanceAuditSink {
  append(entry: { actor: string; action: string; target: string; details: Record<string, unknown> }): Promise<unknown>;
}

export interface MaintenanceWindowsOptions {
  redis: Redis;
  prefix: string;
  /** warden.yaml `maintenance:` (validated at load). */
  configured: readonly WindowSpec[];
  audit: MaintenanceAuditSink;
  log: Logger;
  clock: () => number;
  /** How often starts and ends are looked for and other replicas' windows read. @defaultValue 1000 */
  tickMs?: number;
}

/** Windows that may still become active, and all stored: beyond these a POST is refused (409). */
const MAX_LIVE_WINDOWS = 1000;
const MAX_STORED_WINDOWS = 5000;
/** Ended API windows are kept this long for the record (GET shows them), then dropped. */
const ENDED_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Maintenance windows (issue 13 §3): during one, matching alerts are recorded but not notified
 * (the incidents' Muter asks `mutedBy`) and remediations of matching targets are held (the
 * processor asks `holding`). When one ends (its time, or DELETE), `onEnded` listeners run: held
 * jobs wake and re-check their alert; still-firing incidents notify on their next tick. Starts and
 * ends are audited once across replicas.
 */
export class MaintenanceWindows {
  readonly #o: MaintenanceWindowsOptions;
  readonly #store: MaintenanceStore;
  readonly #config: CompiledWindow[];
  #api = new Map<string, { text: string; compiled: CompiledWindow }>();
  /** Config then API windows, rebuilt when they change (asked once per alert per flush). */
  #all: CompiledWindow[] = [];
  #active = new Set<string>();
  readonly #ended: Array<(ids: string[]) => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  /** One writer: a tick's read of Redis never overwrites a window created or ended meanwhile. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(o: MaintenanceWindowsOptions) {
    this.#o = o;
    this.#store = new MaintenanceStore(o.redis, o.prefix);
    const startedMs = o.clock();
    this.#config = o.configured.map((s) => new CompiledWindow({ ...s, id: `config:${s.name}`, source: 'config', createdBy: 'warden.yaml', createdAtMs: startedMs }));
    this.#all = [...this.#config];
  }

  async start(): Promise<void> {
    await this.#serial(async () => {
      await this.#refresh();
      this.#active = new Set(await this.#store.activeIds());
      await this.#transitions();
    });
    this.#timer = setInterval(() => void this.tick(), this.#o.tickMs ?? 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Called with the ids of windows that stopped holding (ended, deleted or out of their times). */
  onEnded(listener: (ids: string[]) => void): void {
    this.#ended.push(listener);
  }

  /** Reads other replicas' windows and acts on starts and ends. Never rejects; one at a time. */
  tick(): Promise<void> {
    this.#ticking ??= this.#serial(() => this.#refresh().then(() => this.#transitions()))
      .catch((err: unknown) => this.#o.log.warn({ err: errorMessage(err) }, 'maintenance tick failed; retrying'))
      .finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  all(): readonly CompiledWindow[] {
    return this.#all;
  }

  #setApi(api: Map<string, { text: string; compiled: CompiledWindow }>): void {
    this.#api = api;
    this.#all = [...this.#config, ...[...api.values()].map((a) => a.compiled)];
  }

  get(id: string): CompiledWindow | undefined {
    return this.#config.find((c) => c.window.id === id) ?? this.#api.get(id)?.compiled;
  }

  /** The active window muting an alert with these labels (the incidents' Muter). */
  mutedBy(labels: Readonly<Record<string, string>>, nowMs = this.#o.clock()): { id: string; name: string } | undefined {
    const w = this.all().find((c) => c.active(nowMs) && c.matches(labels));
    return w && { id: w.window.id, name: w.window.name };
  }

  /** The active window holding a remediation with these labels, and until when (MaintenanceHolds). */
  holding(labels: Readonly<Record<string, string>>, nowMs: number): { id: string; name: string; untilMs?: number } | undefined {
    const w = this.all().find((c) => c.active(nowMs) && c.matches(labels));
    if (!w) return undefined;
    const until = w.activeUntil(nowMs);
    return { id: w.window.id, name: w.window.name, ...(until !== undefined ? { untilMs: until } : {}) };
  }

  /** POST /v1/maintenance: validated already; refuses a window already over. Audited. */
  create(spec: WindowSpec & { createdBy?: string }, actor: string): Promise<CompiledWindow> {
    return this.#serial(() => this.#create(spec, actor));
  }

  /** DELETE /v1/maintenance/{id}: ends it now (kept for the record). Idempotent; config windows are refused. */
  end(id: string, actor: string): Promise<{ window: CompiledWindow; changed: boolean }> {
    return this.#serial(() => this.#end(id, actor));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #create(spec: WindowSpec & { createdBy?: string }, actor: string): Promise<CompiledWindow> {
    const now = this.#o.clock();
    if (spec.endsAtMs !== undefined && spec.endsAtMs <= now) throw new RequestError(400, 'invalid_window', 'endsAt is in the past', { field: 'endsAt' });
    await this.#refresh();
    const api = [...this.#api.values()].map((a) => a.compiled);
    if (api.filter((c) => !c.over(now)).length >= MAX_LIVE_WINDOWS || api.length >= MAX_STORED_WINDOWS) {
      throw new RequestError(409, 'too_many_windows', `at most ${MAX_LIVE_WINDOWS} maintenance windows may be open (and ${MAX_STORED_WINDOWS} kept); end some first`);
    }
    const { createdBy, ...rest } = spec;
    const window: MaintenanceWindow = { ...rest, id: randomUUID(), source: 'api', createdBy: createdBy ?? actor, createdAtMs: now };
    const compiled = new CompiledWindow(window);
    await this.#store.save(window);
    this.#setApi(new Map(this.#api).set(window.id, { text: JSON.stringify(window), compiled }));
    await this.#o.audit.append({ actor, action: 'maintenance.create', target: `maintenance/${window.id}`, details: describe(window) });
    await this.#transitions();
    return compiled;
  }

  async #end(id: string, actor: string): Promise<{ window: CompiledWindow; changed: boolean }> {
    await this.#refresh();
    const current = this.get(id);
    if (!current) throw new RequestError(404, 'not_found', `no maintenance window "${id}"`);
    if (current.window.source === 'config') throw new RequestError(409, 'defined_in_config', `maintenance window "${current.window.name}" is defined in warden.yaml; remove it there and reload`);
    const now = this.#o.clock();
    if (current.over(now)) return { window: current, changed: false };
    const window: MaintenanceWindow = { ...current.window, endedAtMs: now, endedBy: actor };
    const compiled = new CompiledWindow(window);
    await this.#store.save(window);
    this.#setApi(new Map(this.#api).set(id, { text: JSON.stringify(window), compiled }));
    await this.#o.audit.append({ actor, action: 'maintenance.end', target: `maintenance/${id}`, details: { name: window.name, wasActive: current.active(now) } });
    await this.#transitions();
    return { window: compiled, changed: true };
  }

  async #refresh(): Promise<void> {
    const now = this.#o.clock();
    const next = new Map<string, { text: string; compiled: CompiledWindow }>();
    const expired: string[] = [];
    for (const [id, { text, window }] of await this.#store.load()) {
      const known = this.#api.get(id);
      try {
        const compiled = known?.text === text ? known.compiled : new CompiledWindow(window);
        const endedAt = window.endedAtMs ?? window.endsAtMs;
        if (compiled.over(now) && endedAt !== undefined && now - endedAt > ENDED_RETENTION_MS) expired.push(id);
        else next.set(id, { text, compiled });
      } catch (err) {
        this.#o.log.error({ id, err: errorMessage(err) }, 'maintenance window in Redis is invalid; ignored');
      }
    }
    this.#setApi(next);
    await this.#store.remove(expired);
  }

  /** Marks starts and ends in Redis; the replica whose mark took audits it (and wakes held jobs). */
  async #transitions(): Promise<void> {
    const now = this.#o.clock();
    const activeNow = new Set(this.all().filter((c) => c.active(now)).map((c) => c.window.id));
    const ended: string[] = [];
    for (const id of activeNow) {
      if (this.#active.has(id)) continue;
      this.#active.add(id);
      const w = this.get(id)?.window;
      if (w && (await this.#store.markActive(id))) await this.#o.audit.append({ actor: 'warden', action: 'maintenance.started', target: `maintenance/${id}`, details: { name: w.name } });
    }
    for (const id of [...this.#active]) {
      if (activeNow.has(id)) continue;
      this.#active.delete(id);
      if (await this.#store.markInactive(id)) {
        ended.push(id);
        await this.#o.audit.append({ actor: 'warden', action: 'maintenance.ended', target: `maintenance/${id}`, details: { name: this.get(id)?.window.name ?? id } });
      }
    }
    if (ended.length === 0) return;
    for (const listener of this.#ended) {
      try {
        listener(ended);
      } catch (err) {
        this.#o.log.error({ err: errorMessage(err) }, 'maintenance end listener threw');
      }
    }
  }
}

function describe(w: MaintenanceWindow): Record<string, unknown> {
  return {
    name: w.name, matchers: w.matchers, comment: w.comment,
    ...(w.startsAtMs !== undefined ? { startsAt: new Date(w.startsAtMs).toISOString() } : {}),
    ...(w.endsAtMs !== undefined ? { endsAt: new Date(w.endsAtMs).toISOString() } : {}),
    ...(w.timeIntervals ? { timeIntervals: w.timeIntervals } : {}),
  };
}
