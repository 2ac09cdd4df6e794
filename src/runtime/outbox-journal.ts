import { closeSync, fdatasync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../errors';
import { journalFileName, ownerAlive, ownerOfFile, parseJournal, selfOwner, type JournalOwner, type JournalRecord } from './journal-files';

export type { JournalRecord };

/** What an outbox needs of the journal (WriteOutbox, the audit writer). */
export interface JournalSink {
  /** Journals one write; its id, or undefined when the journal is full (the write stays memory-only). */
  append(outbox: string, kind: string, data: unknown): number | undefined;
  /** The write `id` was made (or given up for good): it is not made again after a crash. */
  done(id: number): void;
}

export interface OutboxJournalOptions {
  dir: string;
  /** The file stops taking records beyond this; it is emptied whenever nothing waits. */
  maxBytes: number;
  log: Logger;
  registry?: Registry;
}

/**
 * A local, append-only journal of the durable writes that wait for Redis (spec §8.3: write-ahead
 * log; issue 9: a kill -9 during a Redis outage must not lose them). Outboxes journal a write only
 * while it cannot be made (Redis down, frozen, or a write failed): in normal operation nothing is
 * written here, so the journal costs nothing on the hot path. A record is written with one
 * write(2) at once (in the page cache, so a kill -9 keeps it) and fdatasync'd shortly after, in
 * groups, off the event loop (so a power loss keeps it too); done marks are not synced (a lost one
 * only makes an idempotent write again). When no record waits the file is cut back to its header.
 *
 * On start, files of Warden processes that no longer run are claimed (renamed, so two starting
 * replicas never both take one), read, and handed to their outboxes, which queue (and journal)
 * them again ahead of anything new; then they are deleted.
 */
export class OutboxJournal implements JournalSink {
  readonly path: string;
  readonly #o: OutboxJournalOptions;
  readonly #fd: number;
  readonly #headerBytes: number;
  #offset: number;
  #nextId = 1;
  readonly #live = new Set<number>();
  #full = false;
  #syncing = false;
  #dirty = false;
  #syncWaiters: Array<() => void> = [];
  #closed = false;
  readonly #orphans = new Map<string, JournalRecord[]>();
  #claimed: string[] = [];
  readonly #fullCounter: Counter | undefined;

  private constructor(opts: OutboxJournalOptions, self: JournalOwner) {
    this.#o = opts;
    this.path = join(opts.dir, journalFileName(self));
    this.#fd = openSync(this.path, 'w');
    const header = Buffer.from(`${JSON.stringify({ journal: 1, pid: self.pid, startTicks: self.startTicks, createdAt: new Date().toISOString() })}\n`);
    writeSync(this.#fd, header, 0, header.length, 0);
    this.#headerBytes = this.#offset = header.length;
    if (opts.registry) {
      const self_ = this;
      new Gauge({ name: 'warden_journal_pending', help: 'Durable writes journaled on local disk while Redis could not take them.', registers: [opts.registry], collect() { this.set(self_.#live.size); } });
      new Gauge({ name: 'warden_journal_bytes', help: 'Size of this process\'s outbox journal file.', registers: [opts.registry], collect() { this.set(self_.#offset); } });
      this.#fullCounter = new Counter({ name: 'warden_journal_full_total', help: 'Writes not journaled because the journal reached journal.max_bytes (kept in memory only).', registers: [opts.registry] });
    }
  }

  /** Creates this process's journal in `dir` and claims the files of processes that no longer run. */
  static open(opts: OutboxJournalOptions): OutboxJournal {
    const self = selfOwner();
    mkdirSync(opts.dir, { recursive: true });
    // Claimed before our file exists: a file already under our name is a previous incarnation's.
    const claimed = claimOrphans(opts, self);
    const journal = new OutboxJournal(opts, self);
    journal.#claimed = claimed.files;
    for (const [outbox, records] of claimed.byOutbox) journal.#orphans.set(outbox, records);
    return journal;
  }

  get pending(): number {
    return this.#live.size;
  }

  append(outbox: string, kind: string, data: unknown): number | undefined {
    if (this.#closed) return undefined;
    const id = this.#nextId++;
    const line = Buffer.from(`${JSON.stringify({ i: id, o: outbox, k: kind, r: data })}\n`);
    if (this.#offset + line.length > this.#o.maxBytes) {
      this.#fullCounter?.inc();
      if (!this.#full) this.#o.log.error({ path: this.path, maxBytes: this.#o.maxBytes }, 'outbox journal full: further waiting writes are kept in memory only (a crash would lose them)');
      this.#full = true;
      return undefined;
    }
    this.#write(line);
    this.#live.add(id);
    this.#scheduleSync();
    return id;
  }

  done(id: number): void {
    if (!this.#live.delete(id) || this.#closed) return;
    if (this.#live.size === 0) {
      // Nothing waits: cut the file back to its header (a crash now has nothing to replay).
      ftruncateSync(this.#fd, this.#headerBytes);
      this.#offset = this.#headerBytes;
      this.#full = false;
      return;
    }
    this.#write(Buffer.from(`{"d":${id}}\n`));
  }

  /** The claimed records of one outbox, oldest first; handed out once. */
  takeOrphans(outbox: string): JournalRecord[] {
    const records = this.#orphans.get(outbox) ?? [];
    this.#orphans.delete(outbox);
    return records;
  }

  /**
   * Every outbox took its orphans and journaled them again here: once that is on disk the claimed
   * files go. Records no outbox took (an outbox this version lacks) are logged, not kept.
   */
  async releaseOrphans(): Promise<void> {
    for (const [outbox, records] of this.#orphans) this.#o.log.error({ outbox, writes: records.length }, 'journaled writes for an outbox this Warden does not have: dropped');
    this.#orphans.clear();
    await this.synced();
    for (const file of this.#claimed) rmSync(file, { force: true });
    this.#claimed = [];
  }

  /** Resolves once everything written so far is fdatasync'd. */
  synced(): Promise<void> {
    if (!this.#syncing && !this.#dirty) return Promise.resolve();
    return new Promise((resolve) => {
      this.#syncWaiters.push(resolve);
      this.#scheduleSync();
    });
  }

  /** Shutdown: synced; the file is removed when nothing waits, else kept for the next start. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.synced();
    this.#closed = true;
    closeSync(this.#fd);
    if (this.#live.size === 0) rmSync(this.path, { force: true });
    else this.#o.log.warn({ path: this.path, writes: this.#live.size }, 'writes still waiting for Redis are kept in the outbox journal: the next start makes them');
  }

  #write(line: Buffer): void {
    writeSync(this.#fd, line, 0, line.length, this.#offset);
    this.#offset += line.length;
    this.#dirty = true;
  }

  #scheduleSync(): void {
    if (this.#closed) {
      for (const w of this.#syncWaiters.splice(0)) w();
      return;
    }
    if (this.#syncing || !this.#dirty) return;
    this.#syncing = true;
    this.#dirty = false;
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    fdatasync(this.#fd, (err) => {
      this.#syncing = false;
      if (err) this.#o.log.error({ err: errorMessage(err), path: this.path }, 'outbox journal fdatasync failed');
      for (const w of waiters) w();
      if (this.#dirty || this.#syncWaiters.length > 0) {
        this.#dirty = true;
        this.#scheduleSync();
      }
    });
  }
}

/** Renames the files of Warden processes that no longer run to names of ours, and reads them. */
function claimOrphans(opts: OutboxJournalOptions, self: JournalOwner): { files: string[]; byOutbox: Map<string, JournalRecord[]> } {
  const files: string[] = [];
  const byOutbox = new Map<string, JournalRecord[]>();
  // Oldest first: a Warden that died before another leaves the older writes.
  const candidates = readdirSync(opts.dir)
    .map((name) => ({ name, owner: ownerOfFile(name) }))
    .filter((c): c is { name: string; owner: JournalOwner } => c.owner !== undefined && !ownerAlive(c.owner, self))
    .map((c) => ({ ...c, mtimeMs: mtimeOf(join(opts.dir, c.name)) }))
    .sort((a, b) => a.mtimeMs - b.mtimeMs);
  const tag = randomBytes(4).toString('hex');
  for (const [n, { name }] of candidates.entries()) {
    const file = join(opts.dir, journalFileName(self, `orphan${n + 1}x${tag}`));
    try {
      renameSync(join(opts.dir, name), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // another Warden claimed it first
      throw err;
    }
    files.push(file);
    const { records, badLines } = parseJournal(readFileSync(file, 'utf8'));
    if (badLines > 0) opts.log.warn({ file: name, badLines }, 'outbox journal had lines cut short (a crash mid-write): skipped');
    if (records.length === 0) continue;
    opts.log.warn({ file: name, writes: records.length }, 'a previous Warden left writes that never reached Redis: making them now');
    for (const r of records) {
      const list = byOutbox.get(r.outbox);
      if (list) list.push(r);
      else byOutbox.set(r.outbox, [r]);
    }
  }
  return { files, byOutbox };
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0; // gone meanwhile (claimed by another Warden): the rename will say so
  }
}
