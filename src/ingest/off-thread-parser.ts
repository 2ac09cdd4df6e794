import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RequestError } from '../errors';
import type { EncodedBatch } from './encoded-batch';
import type { ParseFormat, ParseReply, PushLimits } from './parse-protocol';
import type { RemoteWriteStats } from './remote-write/remote-write-validation';

/** A worker idle this long is stopped; the next large body starts one again (~30 ms). */
const IDLE_STOP_MS = 30_000;

/** The compiled worker; under ts-jest this file is .ts, so use the build in dist/ instead. */
function workerScriptPath(): string {
  const script = __filename.endsWith('.ts') ? join(__dirname, '..', '..', 'dist', 'ingest', 'parse-worker.js') : join(__dirname, 'parse-worker.js');
  if (!existsSync(script)) throw new Error(`push parse worker missing: ${script} (run npm run build)`);
  return script;
}

type Parsed = { batch: EncodedBatch; stats?: RemoteWriteStats };
type Pending = { resolve: (p: Parsed) => void; reject: (e: Error) => void };

/**
 * Parses and validates large push bodies on one worker thread, so a 9 MB batch does not hold the
 * event loop (and with it /healthz and every other request) for the ~150 ms JSON.parse and
 * validation take. Jobs queue on the worker in arrival order. The worker is unref'd and stops when
 * idle: it never keeps Warden alive. If it dies, its jobs fail with 503 (retry) and the next job
 * starts a new one.
 */
export class OffThreadPushParser {
  readonly #limits: PushLimits;
  /** Probed components, so the worker refuses their derived series as the main thread does (issue 9). */
  readonly #probed: readonly string[];
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(limits: PushLimits, probedComponents: readonly string[] = []) {
    this.#probed = [...probedComponents];
    this.#limits = { max_labels: limits.max_labels, max_label_value_bytes: limits.max_label_value_bytes, max_future: limits.max_future };
  }

  /** Resolves with every sample of the batch, or rejects with the RequestError the main thread would have raised. */
  parse(body: Buffer, receivedAtMs: number): Promise<EncodedBatch> {
    return this.#run(body, receivedAtMs, { kind: 'json' }).then((p) => p.batch);
  }

  /** A remote-write body (snappy protobuf of `version`), decoded and validated as RemoteWriteValidator does. */
  parseRemoteWrite(body: Buffer, version: 1 | 2, receivedAtMs: number, maxDecodedBytes: number): Promise<{ batch: EncodedBatch; stats: RemoteWriteStats }> {
    return this.#run(body, receivedAtMs, { kind: 'remote_write', version, maxDecodedBytes }).then((p) => {
      if (!p.stats) throw new RequestError(503, 'parse_failed', 'remote write not parsed (the worker sent no stats); nothing was applied, retry');
      return { batch: p.batch, stats: p.stats };
    });
  }

  #run(body: Buffer, receivedAtMs: number, format: ParseFormat): Promise<Parsed> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    // Transfer when the body owns its whole ArrayBuffer (a concatenated body does); else it is copied.
    const owns = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const view = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return new Promise<Parsed>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, body: view, receivedAtMs, format }, owns ? [body.buffer as ArrayBuffer] : []);
    });
  }

  /** Stops the worker now (Warden stopping); pending jobs fail with 503. */
  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const w = this.#worker;
    this.#worker = undefined;
    this.#failAll('Warden is stopping');
    await w?.terminate();
  }

  #ensureWorker(): Worker {
    clearTimeout(this.#idleTimer);
    if (this.#worker) return this.#worker;
    const worker = new Worker(workerScriptPath(), { workerData: { limits: this.#limits, probed: this.#probed } });
    worker.unref();
    worker.on('message', (reply: ParseReply) => this.#settle(reply));
    worker.on('error', (err) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(`push parse worker failed: ${err.message}`);
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(`push parse worker exited (code ${code})`);
    });
    this.#worker = worker;
    return worker;
  }

  #settle(reply: ParseReply): void {
    const p = this.#pending.get(reply.id);
    if (!p) return;
    this.#pending.delete(reply.id);
    if (reply.ok) p.resolve({ batch: reply.batch, stats: reply.stats });
    else if ('error' in reply) p.reject(new RequestError(reply.error.status, reply.error.code, reply.error.message, { index: reply.error.index, field: reply.error.field }));
    else p.reject(new RequestError(503, 'parse_failed', `push not parsed (${reply.internal}); nothing was applied, retry`));
    if (this.#pending.size === 0) this.#scheduleIdleStop();
  }

  #scheduleIdleStop(): void {
    this.#idleTimer = setTimeout(() => {
      const w = this.#worker;
      if (!w || this.#pending.size > 0) return;
      this.#worker = undefined;
      void w.terminate();
    }, IDLE_STOP_MS);
    this.#idleTimer.unref();
  }

  #failAll(why: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(new RequestError(503, 'parse_failed', `push not parsed (${why}); nothing was applied, retry`));
  }
}
