import { createHash } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import { canonicalJson } from './canonical-json';

/** One audit record. `hash` chains to `prevHash`; `crc32c` guards the same bytes (spec §8.1). */
export interface AuditEntry {
  seq: number;
  /** ISO 8601, from the injected clock. */
  time: string;
  /** Who: "warden" (and the job) for remediation steps, the token name for operator actions. */
  actor: string;
  /** What, dotted: "remediation.attempt", "trading.halted", "trading.resumed". */
  action: string;
  target: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** CRC32C of the canonical bytes, 8 hex digits. */
  crc32c: string;
}

export type AuditEntryDraft = Omit<AuditEntry, 'hash' | 'crc32c'>;

/** The hash before seq 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** The bytes both hash and CRC cover: everything but the hash and CRC themselves. */
export function canonicalBytes(e: AuditEntryDraft): Buffer {
  const { seq, time, actor, action, target, details, prevHash } = e;
  return Buffer.from(canonicalJson({ seq, time, actor, action, target, details, prevHash }), 'utf8');
}

export function sealEntry(draft: AuditEntryDraft): AuditEntry {
  const bytes = canonicalBytes(draft);
  return {
    ...draft,
    hash: createHash('sha256').update(bytes).digest('hex'),
    crc32c: crc32c(bytes).toString(16).padStart(8, '0'),
  };
}

/** The fields of an entry the writer supplies; seq and prevHash come from its place in the chain. */
export type AuditEntryFields = Omit<AuditEntryDraft, 'seq' | 'prevHash'>;

/** Seals `fields` as consecutive entries after the entry `after` (seq 0 and GENESIS_HASH for an empty log). */
export function sealChain(after: { seq: number; hash: string }, fields: readonly AuditEntryFields[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = after;
  for (const f of fields) {
    const entry = sealEntry({ seq: prev.seq + 1, time: f.time, actor: f.actor, action: f.action, target: f.target, details: f.details, prevHash: prev.hash });
    entries.push(entry);
    prev = entry;
  }
  return entries;
}

/** Why a stored entry does not fit the chain at position `seq` after `prevHash`, or undefined if it does. */
export function entryProblem(raw: string, seq: number, prevHash: string): string | undefined {
  let e: AuditEntry;
  try {
    e = JSON.parse(raw) as AuditEntry;
  } catch (err) {
    return `entry is not valid JSON (${(err as Error).message})`;
  }
  if (typeof e !== 'object' || e === null) return 'entry is not an object';
  if (e.seq !== seq) return `sequence number ${String(e.seq)} where ${seq} was expected`;
  if (e.prevHash !== prevHash) return 'prevHash does not match the previous entry\'s hash';
  const resealed = sealEntry({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, target: e.target, details: e.details, prevHash: e.prevHash });
  if (resealed.crc32c !== e.crc32c) return 'crc32c mismatch (entry content changed)';
  if (resealed.hash !== e.hash) return 'hash mismatch (entry content changed)';
  return undefined;
}
