import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { errorMessage } from '../errors';

export interface ReloadOutcome {
  readonly ok: boolean;
  readonly error?: string;
  readonly atMs: number;
}

export interface RuleReloaderOptions<S> {
  /** Loads and validates every rule file; throws ConfigError naming file:line on any error. */
  load: () => Promise<S>;
  /** Swaps the running rules for the loaded set (only called with a fully valid set). */
  apply: (set: S) => void | Promise<void>;
  /** Files whose changes trigger a reload (directories are watched, so editors' rename-saves count). */
  watchFiles: (set: S) => readonly string[];
  log: Logger;
  clock?: () => number;
  /** Coalesces bursts of file events (an editor writes several times per save). */
  debounceMs?: number;
}

/**
 * Hot reload: on file change, SIGHUP or POST /v1/rules/reload. A bad file is rejected with its
 * error and the previous rules keep running (like Prometheus' reload).
 */
export class RuleReloader<S> {
  readonly #o: RuleReloaderOptions<S>;
  readonly #clock: () => number;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ReloadOutcome> | undefined;
  #again = false;
  #last: ReloadOutcome | undefined;
  #stopped = false;

  constructor(opts: RuleReloaderOptions<S>) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
  }

  get last(): ReloadOutcome | undefined {
    return this.#last;
  }

  /** Reloads now. Concurrent calls share one run; a call during a run schedules one more after it. */
  reload(): Promise<ReloadOutcome> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        void this.reload();
      }
    });
    return this.#running;
  }

  async #run(): Promise<ReloadOutcome> {
    let set: S;
    try {
      set = await this.#o.load();
    } catch (err) {
      this.#last = { ok: false, error: errorMessage(err), atMs: this.#clock() };
      this.#o.log.error({ err: errorMessage(err) }, 'rule reload rejected; previous rules keep running');
      return this.#last;
    }
    await this.#o.apply(set);
    this.#watch(this.#o.watchFiles(set));
    this.#last = { ok: true, atMs: this.#clock() };
    return this.#last;
  }

  #watch(files: readonly string[]): void {
    if (this.#stopped) return;
    for (const w of this.#watchers) w.close();
    const dirs = [...new Set(files.map((f) => dirname(f)))];
    const names = new Set(files);
    this.#watchers = dirs.map((dir) =>
      watch(dir, (_event, file) => {
        if (file && !names.has(`${dir}/${file}`) && !file.endsWith('.yaml') && !file.endsWith('.yml')) return;
        this.#schedule();
      }).on('error', (err) => this.#o.log.warn({ err: errorMessage(err), dir }, 'rule directory watch failed')),
    );
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reload(), this.#o.debounceMs ?? 100);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
  }
}
