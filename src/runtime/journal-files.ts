import { readFileSync } from 'node:fs';

/**
 * Naming and reading of outbox journal files (see OutboxJournal). Each process writes its own file,
 * `warden-<pid>-<start>[-<suffix>].jsonl`, where <start> is the process's start time in clock ticks
 * from /proc/<pid>/stat (0 where there is no /proc). A file whose writer no longer runs is an orphan:
 * the next Warden to start on the same directory claims it and makes the writes it still holds.
 */
const FILE_RE = /^warden-(\d+)-(\d+)(?:-[A-Za-z0-9.]+)?\.jsonl$/;

export interface JournalOwner {
  readonly pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat); 0 when unknown. */
  readonly startTicks: number;
}

/** One pending write of an orphan file, as its outbox journaled it. */
export interface JournalRecord {
  readonly outbox: string;
  readonly kind: string;
  readonly data: unknown;
}

export interface ParsedJournal {
  readonly records: JournalRecord[];
  /** Lines that were not a record, a done mark or the header (a line cut short by a crash mid-write). */
  readonly badLines: number;
}

export function journalFileName(owner: JournalOwner, suffix?: string): string {
  return `warden-${owner.pid}-${owner.startTicks}${suffix === undefined ? '' : `-${suffix}`}.jsonl`;
}

export function ownerOfFile(name: string): JournalOwner | undefined {
  const m = FILE_RE.exec(name);
  return m ? { pid: Number(m[1]), startTicks: Number(m[2]) } : undefined;
}

/** This process: its pid and, on Linux, its start time (so a reused pid is not mistaken for it). */
export function selfOwner(): JournalOwner {
  return { pid: process.pid, startTicks: startTicksOf('self') ?? 0 };
}

/**
 * Whether the process that wrote a journal still runs. On Linux the pid and its start time must
 * both match (a container restarted as pid 1 is not its previous incarnation); elsewhere a signal-0
 * probe, which can only err towards "alive" (the file is then left alone, never written twice).
 */
export function ownerAlive(owner: JournalOwner, self: JournalOwner): boolean {
  if (owner.pid === self.pid && owner.startTicks === self.startTicks) return true;
  if (owner.startTicks !== 0) {
    const ticks = startTicksOf(String(owner.pid));
    if (ticks !== undefined) return ticks === owner.startTicks;
    if (startTicksOf('self') !== undefined) return false; // /proc works and the pid is gone
  }
  if (owner.pid === self.pid) return false; // a previous incarnation with our pid
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function startTicksOf(pid: string): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // no such process, or no /proc: the caller decides what that means
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/**
 * The records of a journal file not marked done, in the order they were written. Lines are
 * `{"i":n,"o":outbox,"k":kind,"r":data}` (a write) and `{"d":n}` (that write was made); the first
 * line is a header. A line that does not parse can only be the last one, cut short by a crash.
 */
export function parseJournal(text: string): ParsedJournal {
  const pending = new Map<number, JournalRecord>();
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let v: { i?: unknown; o?: unknown; k?: unknown; r?: unknown; d?: unknown; journal?: unknown };
    try {
      v = JSON.parse(line) as typeof v;
    } catch {
      badLines++;
      continue;
    }
    if (typeof v.d === 'number') pending.delete(v.d);
    else if (typeof v.i === 'number' && typeof v.o === 'string' && typeof v.k === 'string') pending.set(v.i, { outbox: v.o, kind: v.k, data: v.r });
    else if (v.journal === undefined) badLines++;
  }
  return { records: [...pending.values()], badLines };
}
