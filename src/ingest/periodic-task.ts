/**
 * Runs one async job on an interval, never two at once (a slow scrape delays the next one instead
 * of overlapping it, like Prometheus' scrape loop). The first run is at start.
 */
export interface PeriodicTaskOptions {
  readonly intervalMs: number;
  /** Aborted when the task stops, so an in-flight run ends promptly. */
  readonly run: (signal: AbortSignal) => Promise<void>;
  /** A run that threw (a bug, not a failed scrape): reported, and the schedule goes on. */
  readonly onError: (err: unknown) => void;
  readonly clock: () => number;
  /**
   * How long to wait after a run before the next; default: the rest of `intervalMs` since the run
   * started. A probe confirming a failure asks for less (see ProbeConfirmation).
   */
  readonly nextDelayMs?: (runStartedAtMs: number) => number;
}

export class PeriodicTask {
  readonly #o: PeriodicTaskOptions;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;

  constructor(options: PeriodicTaskOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Safe to call twice; resolves once no run is in flight. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#stop());
  }

  /** The next run should start in `delayMs` (sooner than planned); ignored while a run is in flight (it asks nextDelayMs when done). */
  runIn(delayMs: number): void {
    if (!this.#started || this.#stopping || this.#inFlight) return;
    clearTimeout(this.#timer);
    this.#schedule(Math.max(0, delayMs));
  }

  async #stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#inFlight;
  }

  async #runOnce(): Promise<void> {
    try {
      await this.#o.run(this.#abort.signal);
    } catch (err) {
      this.#o.onError(err);
    }
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
    // Sources never keep the process alive on their own; the HTTP server does.
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#stopping) return;
    const startedAtMs = this.#o.clock();
    this.#inFlight = this.#runOnce();
    await this.#inFlight;
    this.#inFlight = undefined;
    if (this.#stopping) return;
    const delayMs = this.#o.nextDelayMs ? this.#o.nextDelayMs(startedAtMs) : this.#o.intervalMs - (this.#o.clock() - startedAtMs);
    this.#schedule(Math.max(0, delayMs));
  }
}
