import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ConfigError, errorMessage } from '../errors';
import { within } from '../runtime/within';

const STOP_ANCHOR_MS = 3_000;

/** A (seq, hash) of the chain recorded outside Redis: whoever rewrites the log cannot rewrite it. */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

const HASH_RE = /^[0-9a-f]{64}$/;

/** `<seq>:<sha256 hex>` as `--anchor` takes it (and as the head key stores it). */
export function parseAnchorArg(text: string): AuditAnchor {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) throw new ConfigError(`anchor ${JSON.stringify(text)} must be <seq>:<64 hex digits>, e.g. 42:${'ab'.repeat(32)}`, { file: '--anchor' });
  return checked({ seq: Number(m[1]), hash: m[2] as string }, { file: '--anchor' });
}

/** What an anchor file or a raw Warden log held: its anchors, and the lines that were not JSON. */
export interface AnchorLines {
  readonly anchors: AuditAnchor[];
  /** 1-based numbers of the lines skipped as not JSON (plain text a wrapper or the runtime printed). */
  readonly skippedLines: number[];
  /** Of those, the lines that mention auditAnchor: likely an anchor cut short (a crash mid-write). */
  readonly skippedAnchorLines: number[];
}

/**
 * Anchors from JSON lines: `{"seq":..,"hash":..}` as Warden's anchor file holds them, or Warden's own
 * log lines carrying `auditAnchor`, so a captured `warden start > warden.log` reads as it is. A line
 * with a prefix before its JSON (docker or kubelet timestamps) is read from its first `{`. Lines
 * that are not JSON are skipped and counted, for the caller to report; an anchor that is there but
 * malformed is an error naming file and line (someone edited it, or it is not ours).
 */
export function readAnchorLines(text: string, source: string): AnchorLines {
  const anchors: AuditAnchor[] = [];
  const skippedLines: number[] = [];
  const skippedAnchorLines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const value = jsonOf(line);
    if (value === undefined) {
      skippedLines.push(i + 1);
      if (line.includes('auditAnchor')) skippedAnchorLines.push(i + 1);
      return;
    }
    const record = (typeof value === 'object' && value !== null ? value : {}) as { seq?: unknown; hash?: unknown; auditAnchor?: { seq?: unknown; hash?: unknown } };
    const candidate = record.auditAnchor ?? (record.seq !== undefined || record.hash !== undefined ? record : undefined);
    if (candidate === undefined) return;
    anchors.push(checked(candidate, { file: source, line: i + 1 }));
  });
  return { anchors, skippedLines, skippedAnchorLines };
}

/** The anchors of `text` (see readAnchorLines), ignoring the lines that are not JSON. */
export function parseAnchorLines(text: string, source: string): AuditAnchor[] {
  return readAnchorLines(text, source).anchors;
}

function jsonOf(line: string): unknown {
  const tryParse = (t: string): unknown => {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return undefined; // not JSON: the caller counts the line as skipped
    }
  };
  const whole = tryParse(line);
  if (whole !== undefined) return whole;
  const brace = line.indexOf('{');
  return brace > 0 ? tryParse(line.slice(brace)) : undefined;
}

/** A malformed anchor is a ConfigError naming the file (or `--anchor`), line and field. */
function checked(a: { seq?: unknown; hash?: unknown }, where: { file: string; line?: number }): AuditAnchor {
  if (typeof a.seq !== 'number' || !Number.isSafeInteger(a.seq) || a.seq < 1) throw new ConfigError('anchor seq must be a whole number >= 1', { ...where, field: 'seq' });
  if (typeof a.hash !== 'string' || !HASH_RE.test(a.hash)) throw new ConfigError('anchor hash must be 64 lower-case hex digits', { ...where, field: 'hash' });
  return { seq: a.seq, hash: a.hash };
}

export interface AuditAnchorerOptions {
  /** Reads the current head (undefined for an empty log). */
  head(): Promise<AuditAnchor | undefined>;
  log: Logger;
  intervalMs: number;
  /** Also append anchors here, fsynced: a file the operator ships or backs up elsewhere. */
  file?: string;
  /** Issue 12: only the leader anchors (one anchor stream, not one per replica). @defaultValue always */
  isLeader?: () => boolean;
}

/**
 * Publishes the audit chain's head every interval when it moved: in Warden's log (which on-call
 * ship to their log store) and optionally a local JSONL file. `warden audit verify --anchors` then
 * catches a history rewritten from some entry to the head, which the chain alone cannot.
 */
export class AuditAnchorer {
  readonly #o: AuditAnchorerOptions;
  #timer: NodeJS.Timeout | undefined;
  #last: AuditAnchor | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(opts: AuditAnchorerOptions) {
    this.#o = opts;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.anchorNow(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Records the head now if it moved; never rejects (a failure is logged and retried next time). */
  anchorNow(): Promise<void> {
    this.#running = this.#running.then(() => this.#anchor());
    return this.#running;
  }

  /** A last anchor on the way out, so a clean stop leaves the final head recorded; bounded, as Redis may be gone. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const done = await within(this.anchorNow().then(() => true), STOP_ANCHOR_MS, false);
    if (!done) this.#o.log.warn({ limitMs: STOP_ANCHOR_MS }, 'final audit anchor not recorded: Redis did not answer');
  }

  async #anchor(): Promise<void> {
    if (this.#o.isLeader && !this.#o.isLeader()) return;
    try {
      const head = await this.#o.head();
      if (!head || (this.#last && this.#last.seq === head.seq && this.#last.hash === head.hash)) return;
      if (this.#o.file) await appendSynced(this.#o.file, `${JSON.stringify({ seq: head.seq, hash: head.hash, at: new Date().toISOString() })}\n`);
      this.#o.log.info({ auditAnchor: head }, 'audit chain head');
      this.#last = head;
    } catch (err) {
      this.#o.log.warn({ err: errorMessage(err), file: this.#o.file }, 'audit anchor not recorded; will retry');
    }
  }
}

async function appendSynced(file: string, line: string): Promise<void> {
  const fh = await open(file, 'a');
  try {
    await fh.write(line);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
